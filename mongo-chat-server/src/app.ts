/** The express application: operations routes open, everything else behind the internal token. */
import type { Express, Router } from 'express';
import type { Connection } from 'mongoose';
import {
  createServiceApp, jsonBody, mountDocs, requireInternalToken,
} from '@chat/shared';
import type { Logging, ServiceMetrics } from '@chat/shared';
import { SERVICE_NAME } from './config';
import { pingDatabase } from './db/connection';
import { databaseErrors } from './errors';
import { fileRoutes } from './files/routes';
import type { FileService } from './files/file-service';
import type { GroupService } from './groups/group-service';
import type { MessageService } from './messages/message-service';
import { groupRoutes } from './routes/groups';
import { messageRoutes } from './routes/messages';
import { sessionRoutes } from './routes/sessions';
import { timelineRoutes } from './routes/timeline';
import type { TimelineService } from './messages/timeline-service';
import { userRoutes } from './routes/users';
import { searchRoutes } from './search/routes';
import type { SearchService } from './search/search-service';
import type { SessionService } from './users/sessions';
import type { UserService } from './users/user-service';

export interface AppDeps {
  internalToken: string;
  bodyLimit: string;
  db: Connection;
  logging: Logging;
  metrics: ServiceMetrics;
  users: UserService;
  sessions: SessionService;
  groups: GroupService;
  messages: MessageService;
  timeline: TimelineService;
  search: SearchService;
  /** Routers of other parts (notifications), behind the same token and body parser. */
  extraRoutes?: Router[];
  files: FileService;
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
      app.use(sessionRoutes(deps.sessions));
      app.use(userRoutes(deps.users));
      app.use(groupRoutes(deps.groups, deps.messages));
      app.use(timelineRoutes(deps.timeline));
      app.use(searchRoutes(deps.search));
      app.use(messageRoutes(deps.messages));
      app.use(fileRoutes(deps.files));
      deps.extraRoutes?.forEach((router) => app.use(router));
    },
    errorTranslators: [databaseErrors],
  });
}
