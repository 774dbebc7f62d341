/** /user routes: registration, login, the seed's listing and update. */
import { Router } from 'express';
import { restContract, route } from '@chat/shared';
import type { UserService } from '../users/user-service';

const routes = restContract.dataService;

export function userRoutes(users: UserService): Router {
  const router = Router();

  route(router, routes.createUser)(async ({ body }) => ({ status: 201, body: await users.create(body) }));

  route(router, routes.login)(async ({ body: { up, username, password } }) => {
    const credentials = up !== undefined ? { up, password } : { username: username ?? '', password };
    return { status: 200, body: await users.login(credentials) };
  });

  route(router, routes.listUsers)(async ({ query }) => ({ status: 200, body: await users.list(query) }));

  // Fixed paths before /:up.
  route(router, routes.setPresence)(async ({ body }) => (
    { status: 200, body: await users.setPresence(body.online, body.offline) }));

  route(router, routes.getUser)(async ({ params }) => ({ status: 200, body: await users.get(params.up) }));

  route(router, routes.updateUser)(async ({ params, body }) => (
    { status: 200, body: await users.update(params.up, body) }));

  return router;
}
