/** /group routes: groups, members and their roles, read positions and a group's history. */
import { Router } from 'express';
import { restContract, route } from '@chat/shared';
import type { GroupService } from '../groups/group-service';
import type { MessageService } from '../messages/message-service';

const routes = restContract.dataService;

export function groupRoutes(groups: GroupService, messages: MessageService): Router {
  const router = Router();

  route(router, routes.listGroups)(async ({ query }) => ({ status: 200, body: await groups.list(query) }));

  route(router, routes.createGroup)(async ({ body }) => ({ status: 201, body: await groups.create(body) }));

  // Fixed paths before /:id.
  route(router, routes.groupMessagesByPage)(async ({ query: { groupID, ...page } }) => (
    { status: 200, body: await messages.offsetPage(groupID, page) }));

  route(router, routes.groupIdsOfUsers)(async ({ query }) => (
    { status: 200, body: { items: await groups.groupIdsOfUsers(query.ups) } }));

  route(router, routes.groupsOfUser)(async ({ params, query }) => (
    { status: 200, body: await groups.groupsOfUser(params.up, query) }));

  route(router, routes.getGroup)(async ({ params }) => ({ status: 200, body: await groups.get(params.id) }));

  route(router, routes.renameGroup)(async ({ params, query, body }) => (
    { status: 200, body: await groups.rename(params.id, body.name, query.by) }));

  route(router, routes.deleteGroup)(async ({ params, query }) => {
    await groups.remove(params.id, query.by);
    return { status: 204 };
  });

  route(router, routes.addMembers)(async ({ params, query, body }) => (
    { status: 200, body: await groups.addMembers(params.id, body.users, query.by) }));

  route(router, routes.transferOwnership)(async ({ params, query, body }) => (
    { status: 200, body: await groups.transferOwnership(params.id, body.up, query.by) }));

  route(router, routes.setMemberRole)(async ({ params, query, body }) => (
    { status: 200, body: await groups.setRole(params.id, params.up, body.role, query.by) }));

  route(router, routes.getMembership)(async ({ params }) => (
    { status: 200, body: await groups.membership(params.id, params.up) }));

  route(router, routes.removeMember)(async ({ params, query }) => (
    { status: 200, body: await groups.removeMember(params.id, params.up, query.by) }));

  route(router, routes.markRead)(async ({ params, body }) => (
    { status: 200, body: await groups.markRead(params.id, params.up, body.seq) }));

  route(router, routes.groupMessagesByCursor)(async ({ params, query }) => (
    { status: 200, body: await messages.cursorPage(params.id, query) }));

  return router;
}
