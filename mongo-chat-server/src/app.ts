/** The express application: operations routes open, everything else behind the internal token. */
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import {
  createServiceApp, jsonBody, mountDocs, requireInternalToken,
} from '@chat/shared';
import type { Logging, ServiceMetrics } from '@chat/shared';
import { SERVICE_NAME } from './config';
import { pingDatabase } from './db/connection';
import { databaseErrors } from './errors';
import type { GroupService } from './groups/group-service';
import type { MessageService } from './messages/message-service';
import { groupRoutes } from './routes/groups';
import { messageRoutes } from './routes/messages';
import { timelineRoutes } from './routes/timeline';
import type { TimelineService } from './messages/timeline-service';
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
  timeline: TimelineService;
}

const READY_PING_MS = 2000;

export function buildApp(deps: AppDeps): Express {
  return createServiceApp({
    logger: deps.logging.logger,
    requests: deps.logging.requests,
    metrics: deps.metrics,
    health: {
      service: SERVICE_NAME,
      checks: { mongo: async () => ((await pingDatabase(deps.db, READY_PING_MS)) ? 'ok' : 'down') },
    },
    routes: (app) => {
      mountDocs(app, 'dataService');
      app.use(requireInternalToken(deps.internalToken));
      app.use(jsonBody(deps.bodyLimit));
      // Routers carry full paths (mounted at the root) so metrics label routes as `/user/:up`, not `/:up`.
      app.use(userRoutes(deps.users));
      app.use(groupRoutes(deps.groups, deps.messages));
      app.use(timelineRoutes(deps.timeline));
      app.use(messageRoutes(deps.messages));
    },
    errorTranslators: [databaseErrors],
  });
}
