export * from './ack';
export * from './client-events';
export * from './frame-cap';
export * from './handshake';
export * from './limits';
export * from './server-events';
export * from './typed-events';
export * from './session-events';
