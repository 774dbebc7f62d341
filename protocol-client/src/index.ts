/** The chat protocol as a client speaks it: one implementation for the browser client, the tests and the benchmarks. */
export * from './catch-up';
export * from './connection';
export * from './errors';
export * from './ids';
export * from './locator';
export * from './requests';
export * from './resume';
export * from './send';
export * from './session';
export * from './timeline';
