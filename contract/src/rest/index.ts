export * from './route';
export * from './operations';
export * from './location';
export * from './data-service';
export * from './chat-server';
export * from './dispatcher';
export * from './services';
export * from './openapi';
