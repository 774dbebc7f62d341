/** The request fields the REST routes share with socket events, as the contract declares them. */
export { groupIdField as groupId, upField } from '@chat/contract';
