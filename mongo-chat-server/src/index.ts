/** Starts the data service from the environment (see the kit's runMain for signals and the start line). */
import { runMain } from '@chat/shared';
import { loadConfig, SERVICE_NAME } from './config';
import { startDataService } from './service';

runMain({
  name: SERVICE_NAME,
  start: () => {
    const { config, warnings } = loadConfig();
    return startDataService({ ...config, warnings });
  },
  banner: (service) => `${SERVICE_NAME} listening on ${service.url}`,
});
