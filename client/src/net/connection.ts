/**
 * The page's connection: the protocol client's, with its errors told in the
 * page's plain words.
 */
import { Connection as ProtocolConnection } from '@chat/protocol-client';
import type { ConnectionHooks, ConnectionOptions } from '@chat/protocol-client';
import { describeError } from '../api/describe-error';

export type {
  ChatSocket, ConnectionHooks, ConnectionOptions, ConnectionState, ConnectionStatus,
} from '@chat/protocol-client';

export class Connection extends ProtocolConnection {
  constructor(hooks: ConnectionHooks, options: ConnectionOptions) {
    super(hooks, { describeError, ...options });
  }
}
