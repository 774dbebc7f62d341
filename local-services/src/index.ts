export * from './processes';
export * from './ferretdb';
export * from './mongo';
export * from './redis';
export * from './test-env';
export * from './service-process';
export * from './restart-policy';
export * from './supervisor';
