/**
 * Starts the data service from the environment. Prints one parseable line,
 * `mongo-chat-server listening on <url>`, so a parent process can use PORT=0.
 * SIGTERM/SIGINT close it gracefully.
 */
import { loadConfig, SERVICE_NAME } from './config';
import { startDataService } from './service';

async function main(): Promise<void> {
  const { config, warnings } = loadConfig();
  const service = await startDataService({ ...config, warnings });
  process.stdout.write(`${SERVICE_NAME} listening on ${service.url}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    service.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${SERVICE_NAME} failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
