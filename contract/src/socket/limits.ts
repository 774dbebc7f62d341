/**
 * Socket limits a client writer needs, beside the text limits in LIMITS.
 * The rate limits are the chat server's defaults (each can be configured).
 */
export const SOCKET_LIMITS = {
  /** Messages a `join room` without `since` returns: the newest page. */
  joinPageSize: 50,
  /** At most this many messages in one catch-up (`join room` with `since`); the rest by the REST cursor. */
  catchUpDefault: 500,
  /** `chat message` events per user per window, all their sockets on every chat server together (SOCKET_MESSAGE_POINTS). */
  messagesPerWindow: 20,
  /** Events of any kind per socket per window: five times the messages. */
  eventsPerWindow: 100,
  /** The window of both socket limits, in seconds (SOCKET_MESSAGE_WINDOW_S). */
  windowSeconds: 5,
  /** Sign-ins (register, login) per client address per minute, counted across all chat servers (AUTH_RATE_POINTS). */
  signInsPerMinute: 20,
  /** Socket connections per client address on one chat server (MAX_CONNECTIONS_PER_IP). */
  connectionsPerAddress: 500,
} as const;
