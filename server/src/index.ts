/** `npm start -w server`: one chat server configured from the environment; SIGTERM/SIGINT close it gracefully. */
import { readConfig } from './config';
import { startChatServer } from './service';

async function main(): Promise<void> {
  const config = readConfig();
  const server = await startChatServer(config);
  process.stdout.write(`chat server ${server.serverId} listening on ${server.url} (public ${server.publicUrl})\n`);
  // A bug that escapes every handler is written to error.log before the process ends as Node
  // would end it anyway: the state is unknown, and the orchestrator restarts the server.
  const fatal = (what: string) => (err: unknown) => {
    server.logger.error(what, { error: err instanceof Error ? err.message : String(err) });
    setTimeout(() => process.exit(1), 200);
  };
  process.on('unhandledRejection', fatal('unhandled rejection'));
  process.on('uncaughtException', fatal('uncaught exception'));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: closing chat server ${server.serverId}\n`);
    const force = setTimeout(() => process.exit(1), 15000);
    force.unref();
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: Error) => {
  process.stderr.write(`chat server failed to start: ${err.message}\n`);
  process.exit(1);
});
