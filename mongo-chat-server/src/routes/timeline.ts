/** The group timeline's routes: edit, delete, reactions (and one member's own), and a group's changes after a revision. */
import { Router } from 'express';
import { restContract, route } from '@chat/shared';
import type { TimelineService } from '../messages/timeline-service';

const routes = restContract.dataService;

export function timelineRoutes(timeline: TimelineService): Router {
  const router = Router();

  route(router, routes.editMessage)(async ({ params, body }) => (
    { status: 200, body: await timeline.edit(params.id, body) }));

  route(router, routes.deleteMessage)(async ({ params, body }) => (
    { status: 200, body: await timeline.remove(params.id, body) }));

  route(router, routes.reactToMessage)(async ({ params, body }) => (
    { status: 200, body: await timeline.react(params.id, body) }));

  route(router, routes.reactionsOfUser)(async ({ params, query }) => (
    { status: 200, body: await timeline.reactionsOf(params.id, params.up, query.messages) }));

  route(router, routes.groupChanges)(async ({ params, query }) => (
    { status: 200, body: await timeline.changes(params.id, query.after, query.limit) }));

  return router;
}
