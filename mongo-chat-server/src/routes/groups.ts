/** /group routes: groups, members, read positions and a group's history. */
import { Router } from 'express';
import { z } from 'zod';
import { LIMITS, validate } from '@chat/shared';
import type { GroupService } from '../groups/group-service';
import type { MessageService } from '../messages/message-service';
import {
  cursorQuerySchema, groupMemberParamsSchema, idParamsSchema, objectIdSchema, offsetQuerySchema, pageQuery,
  upParamsSchema, upSchema, upsQuery,
} from '../params';

const nameSchema = z.string().trim().min(1).max(LIMITS.groupName);
const upsSchema = z.array(upSchema).min(1).max(LIMITS.groupMembers);

const createBody = z.strictObject({
  name: nameSchema,
  users: z.array(upSchema).max(LIMITS.groupMembers),
  createdBy: upSchema.optional(),
});
const renameBody = z.strictObject({ name: nameSchema });
const membersBody = z.strictObject({ users: upsSchema });
const readBody = z.strictObject({ seq: z.number().int().min(0) });
const messagesQuery = z.strictObject({ groupID: objectIdSchema, ...pageQuery });
const idsQuery = z.strictObject({ ups: upsQuery });

export function groupRoutes(groups: GroupService, messages: MessageService): Router {
  const router = Router();

  router.get('/group', async (req, res) => {
    res.json(await groups.list(validate(offsetQuerySchema, req.query)));
  });

  router.post('/group', async (req, res) => {
    res.status(201).json(await groups.create(validate(createBody, req.body)));
  });

  // Fixed paths before /:id.
  router.get('/group/messages', async (req, res) => {
    const { groupID, ...page } = validate(messagesQuery, req.query);
    res.json(await messages.offsetPage(groupID, page));
  });

  router.get('/group/ids', async (req, res) => {
    const { ups } = validate(idsQuery, req.query);
    res.json({ items: await groups.groupIdsOfUsers(ups) });
  });

  router.get('/group/user/:up', async (req, res) => {
    const { up } = validate(upParamsSchema, req.params);
    res.json(await groups.groupsOfUser(up, validate(offsetQuerySchema, req.query)));
  });

  router.get('/group/:id', async (req, res) => {
    const { id } = validate(idParamsSchema, req.params);
    res.json(await groups.get(id));
  });

  router.patch('/group/:id', async (req, res) => {
    const { id } = validate(idParamsSchema, req.params);
    res.json(await groups.rename(id, validate(renameBody, req.body).name));
  });

  router.delete('/group/:id', async (req, res) => {
    const { id } = validate(idParamsSchema, req.params);
    await groups.remove(id);
    res.status(204).end();
  });

  router.post('/group/:id/members', async (req, res) => {
    const { id } = validate(idParamsSchema, req.params);
    res.json(await groups.addMembers(id, validate(membersBody, req.body).users));
  });

  router.get('/group/:id/members/:up', async (req, res) => {
    const { id, up } = validate(groupMemberParamsSchema, req.params);
    res.json(await groups.membership(id, up));
  });

  router.delete('/group/:id/members/:up', async (req, res) => {
    const { id, up } = validate(groupMemberParamsSchema, req.params);
    res.json(await groups.removeMember(id, up));
  });

  router.put('/group/:id/read/:up', async (req, res) => {
    const { id, up } = validate(groupMemberParamsSchema, req.params);
    res.json(await groups.markRead(id, up, validate(readBody, req.body).seq));
  });

  router.get('/group/:id/messages', async (req, res) => {
    const { id } = validate(idParamsSchema, req.params);
    res.json(await messages.cursorPage(id, validate(cursorQuerySchema, req.query)));
  });

  return router;
}
