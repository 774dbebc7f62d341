export * from '@chat/contract';
export * from './config';
export * from './logging';
export * from './http';
export * from './metrics';
export * from './placement';
export * from './auth';
