/** The express application: operations routes open, everything else behind the internal token. */
import express from 'express';
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import {
  errorHandler, jsonBody, mountDocs, notFound,
  requireInternalToken,
} from '@chat/shared';
import type { Logging, ServiceMetrics } from '@chat/shared';
import { SERVICE_NAME } from './config';
import { databaseErrors } from './errors';
import type { GroupService } from './groups/group-service';
import type { MessageService } from './messages/message-service';
import { groupRoutes } from './routes/groups';
import { healthRoutes } from './routes/health';
import { messageRoutes } from './routes/messages';
import { userRoutes } from './routes/users';
import type { UserService } from './users/user-service';

export interface AppDeps {
  internalToken: string;
  bodyLimit: string;
  db: Connection;
  logging: Logging;
  metrics: ServiceMetrics;
  users: UserService;
  groups: GroupService;
  messages: MessageService;
}

export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // `a[$ne]=x` stays a key named "a[$ne]" (and fails validation); it never becomes an object.
  app.set('query parser', 'simple');
  app.use(deps.metrics.httpTimer);
  app.use(deps.logging.requests);

  app.use(healthRoutes(SERVICE_NAME, deps.db));
  deps.metrics.mount(app);
  mountDocs(app, 'dataService');

  app.use(requireInternalToken(deps.internalToken));
  app.use(jsonBody(deps.bodyLimit));
  // Routers carry full paths (mounted at the root) so metrics label routes as `/user/:up`, not `/:up`.
  app.use(userRoutes(deps.users));
  app.use(groupRoutes(deps.groups, deps.messages));
  app.use(messageRoutes(deps.messages));

  app.use(notFound);
  app.use(databaseErrors);
  app.use(errorHandler(deps.logging.logger));
  return app;
}
