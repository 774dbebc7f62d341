/** The chat server's own Prometheus metrics, next to the shared HTTP ones. */
import client from 'prom-client';
import { createMetrics } from '@chat/shared';

export function createChatMetrics() {
  const base = createMetrics('chat-server');
  const registers = [base.registry];
  return {
    ...base,
    connections: new client.Gauge({ name: 'chat_socket_connections', help: 'Sockets connected to this server', registers }),
    messagesIn: new client.Counter({ name: 'chat_messages_received_total', help: 'Chat messages received from sockets', registers }),
    messagesOut: new client.Counter({ name: 'chat_messages_delivered_total', help: 'Chat messages emitted to rooms after storing', registers }),
    ackLatency: new client.Histogram({
      name: 'chat_message_ack_seconds',
      help: 'From receiving a chat message to acknowledging it stored',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    historySource: new client.Counter({
      name: 'chat_history_answers_total',
      help: 'Join-room histories, by where they were read (recent buffer or data service)',
      labelNames: ['source'] as const,
      registers,
    }),
  };
}

export type ChatMetrics = ReturnType<typeof createChatMetrics>;
