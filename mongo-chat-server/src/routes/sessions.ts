/** /session routes and a user's sign-out and password change (docs/design.md, Sessions). */
import { Router } from 'express';
import { restContract, route } from '@chat/shared';
import type { SessionService } from '../users/sessions';

const routes = restContract.dataService;

export function sessionRoutes(sessions: SessionService): Router {
  const router = Router();

  route(router, routes.createSession)(async ({ body }) => (
    { status: 201, body: await sessions.create(body.up, body.ttlSeconds) }));

  route(router, routes.refreshSession)(async ({ body }) => (
    { status: 200, body: await sessions.refresh(body.refreshToken) }));

  route(router, routes.sessionState)(async ({ query }) => (
    { status: 200, body: await sessions.state(query.up, query.sid) }));

  route(router, routes.sessionStates)(async ({ body }) => (
    { status: 200, body: { states: await sessions.states(body.sessions) } }));

  route(router, routes.revokeSession)(async ({ params }) => {
    await sessions.revoke(params.id);
    return { status: 204 };
  });

  route(router, routes.revokeUserSessions)(async ({ params }) => (
    { status: 200, body: await sessions.revokeAll(params.up) }));

  route(router, routes.changePassword)(async ({ params, body }) => (
    { status: 200, body: await sessions.changePassword(params.up, body) }));

  return router;
}
