/** Starts the dispatcher from the environment (see the kit's runMain for signals and the start line). */
import { runMain } from '@chat/shared';
import { readConfig } from './config';
import { startDispatcher } from './service';

runMain({
  name: 'dispatcher',
  start: () => startDispatcher(readConfig()),
  banner: (dispatcher) => `dispatcher listening on ${dispatcher.url}`,
});
