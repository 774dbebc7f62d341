export * from './errors';
export * from './limits';
export * from './records';
export * from './text';
export * from './fields';
export * from './rest';
export * from './socket';
export * from './attachments';
