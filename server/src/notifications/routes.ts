/**
 * The caller's notifications (docs/notifications.md): preferences per group,
 * time zone and quiet hours, and the in-app list with its unread count. The
 * data service keeps them; these routes act for the token's user only.
 */
import { Router } from 'express';
import { restContract, route } from '@chat/shared';
import type { ChatContext } from '../context';
import { currentUser, requireUser } from '../auth/require-user';
import { createDataRequest } from '../data/http';

const routes = restContract.chatServer;
const data = restContract.dataService;
const enc = encodeURIComponent;

export function notificationRoutes(ctx: ChatContext): Router {
  const router = Router();
  router.use('/chat/notifications', requireUser(ctx));
  const request = createDataRequest({ baseUrl: ctx.config.dataServiceUrl, internalToken: ctx.config.internalToken });
  const base = (up: string) => `/notifications/${enc(up)}`;

  route(router, routes.getNotificationPreferences)(async (_input, req) => ({
    status: 200,
    body: await request('GET', `${base(currentUser(req).up)}/preferences`, data.getNotificationPreferences.responses[200].schema),
  }));

  route(router, routes.setNotificationPreferences)(async ({ body }, req) => ({
    status: 200,
    body: await request('PUT', `${base(currentUser(req).up)}/preferences`, data.setNotificationPreferences.responses[200].schema, { body }),
  }));

  route(router, routes.markNotificationsRead)(async ({ body }, req) => ({
    status: 200,
    body: await request('POST', `${base(currentUser(req).up)}/read`, data.markNotificationsRead.responses[200].schema, { body }),
  }));

  route(router, routes.listNotifications)(async ({ query }, req) => ({
    status: 200,
    body: await request('GET', base(currentUser(req).up), data.listNotifications.responses[200].schema, { query: { limit: query.limit } }),
  }));

  return router;
}
