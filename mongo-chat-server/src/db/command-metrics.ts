/**
 * Counts the database commands this service sends, by command and collection,
 * with their time, from the driver's command monitoring. "How many writes does
 * one stored message cost?" is read here (`database_commands_total`), not guessed.
 */
import client from 'prom-client';
import type { Connection, mongo } from 'mongoose';

/** Commands of the driver's own (handshake, heartbeats, sessions) that say nothing about the service's work. */
const HOUSEKEEPING = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'buildInfo', 'getMore']);

export function monitorCommands(db: Connection, registry: client.Registry): void {
  const commands = new client.Counter({
    name: 'database_commands_total',
    help: 'Database commands sent, by command and collection',
    labelNames: ['command', 'collection', 'outcome'],
    registers: [registry],
  });
  const seconds = new client.Counter({
    name: 'database_command_seconds_total',
    help: 'Time spent waiting for database commands, by command and collection',
    labelNames: ['command', 'collection'],
    registers: [registry],
  });
  // requestId → collection: only the started event names it.
  const collections = new Map<number, string>();
  const mongo = db.getClient();
  mongo.on('commandStarted', (event: mongo.CommandStartedEvent) => {
    if (HOUSEKEEPING.has(event.commandName)) return;
    const target: unknown = event.command[event.commandName];
    collections.set(event.requestId, typeof target === 'string' ? target : '');
  });
  const finished = (event: mongo.CommandSucceededEvent | mongo.CommandFailedEvent, outcome: string) => {
    const collection = collections.get(event.requestId);
    if (collection === undefined) return;
    collections.delete(event.requestId);
    commands.inc({ command: event.commandName, collection, outcome });
    seconds.inc({ command: event.commandName, collection }, event.duration / 1000);
  };
  mongo.on('commandSucceeded', (event: mongo.CommandSucceededEvent) => finished(event, 'ok'));
  mongo.on('commandFailed', (event: mongo.CommandFailedEvent) => finished(event, 'failed'));
}
