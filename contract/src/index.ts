export * from './errors';
export * from './limits';
export * from './records';
export * from './text';
export * from './rest';
