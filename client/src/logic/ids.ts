export { newClientId } from '@chat/protocol-client';
