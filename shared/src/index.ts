export * from './errors';
export * from './models';
export * from './events';
export * from './config';
export * from './logging';
export * from './http';
export * from './metrics';
export * from './placement';
