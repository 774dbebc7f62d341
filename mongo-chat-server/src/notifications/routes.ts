/** /notifications routes: a user's preferences and in-app list, for the chat servers. */
import { Router } from 'express';
import { restContract, route } from '@chat/shared';
import type { Preferences } from './preferences';

const routes = restContract.dataService;

export function notificationRoutes(preferences: Preferences): Router {
  const router = Router();
  // Fixed paths before /notifications/:up.
  route(router, routes.getNotificationPreferences)(async ({ params }) => (
    { status: 200, body: await preferences.get(params.up) }));
  route(router, routes.setNotificationPreferences)(async ({ params, body }) => (
    { status: 200, body: await preferences.set(params.up, body) }));
  route(router, routes.markNotificationsRead)(async ({ params, body }) => (
    { status: 200, body: await preferences.markRead(params.up, body.upTo) }));
  route(router, routes.listNotifications)(async ({ params, query }) => (
    { status: 200, body: await preferences.list(params.up, query.limit) }));
  return router;
}
