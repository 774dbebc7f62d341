export * from './processes';
export * from './ferretdb';
export * from './mongo';
export * from './redis';
export * from './redis-cluster';
export * from './test-env';
export * from './service-process';
