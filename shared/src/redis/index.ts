export * from './backoff';
export * from './target';
export * from './connection';
