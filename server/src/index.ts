/** `npm start -w server`: one chat server configured from the environment (see the kit's runMain for signals). */
import { runMain } from '@chat/shared';
import { readConfig } from './config';
import { startChatServer } from './service';

runMain({
  name: 'chat server',
  start: () => startChatServer(readConfig()),
  banner: (server) => `chat server ${server.serverId} listening on ${server.url} (public ${server.publicUrl})`,
});
