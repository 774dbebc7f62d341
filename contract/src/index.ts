export * from './errors';
export * from './limits';
export * from './records';
export * from './timeline';
export * from './text';
export * from './fields';
export * from './rest';
export * from './socket';
