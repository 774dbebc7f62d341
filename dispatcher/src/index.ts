/** Starts the dispatcher from the environment; SIGINT/SIGTERM stop it cleanly. */
import { readConfig } from './config';
import { startDispatcher } from './service';

async function main(): Promise<void> {
  const dispatcher = await startDispatcher(readConfig());
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    dispatcher.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`dispatcher: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
