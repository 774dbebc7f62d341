/** /user routes: registration, login, the seed's listing and update. */
import { Router } from 'express';
import { z } from 'zod';
import { LIMITS, validate } from '@chat/shared';
import {
  pageQuery, upParamsSchema, upSchema, upsQuery,
} from '../params';
import type { UserService } from '../users/user-service';

const usernameSchema = z.string().regex(
  /^[A-Za-z0-9_.-]{1,32}$/,
  `must be 1 to ${LIMITS.username} letters, digits, '_', '.' or '-'`,
);
const nameSchema = z.string().trim().min(1).max(LIMITS.name);

const createBody = z.strictObject({
  up: upSchema,
  username: usernameSchema,
  name: nameSchema,
  password: z.string().min(LIMITS.passwordMin).max(LIMITS.passwordMax),
});

const loginBody = z.strictObject({
  up: upSchema.optional(),
  username: z.string().min(1).max(LIMITS.username).optional(),
  password: z.string().min(1).max(LIMITS.passwordMax),
}).refine((b) => (b.up === undefined) !== (b.username === undefined), { message: 'give exactly one of up or username' });

const listQuery = z.strictObject({
  ...pageQuery,
  ups: upsQuery.optional(),
});

const updateBody = z.strictObject({
  username: usernameSchema.optional(),
  name: nameSchema.optional(),
  online: z.boolean().optional(),
}).refine((b) => Object.keys(b).length > 0, { message: 'give at least one of username, name, online' });

const presenceBody = z.strictObject({
  online: z.array(upSchema).max(LIMITS.presenceBatch).default([]),
  offline: z.array(upSchema).max(LIMITS.presenceBatch).default([]),
}).refine((b) => b.online.length + b.offline.length > 0, { message: 'give at least one user in online or offline' })
  .refine((b) => !b.online.some((up) => b.offline.includes(up)), { message: 'a user cannot be both online and offline' });

export function userRoutes(users: UserService): Router {
  const router = Router();

  router.post('/user', async (req, res) => {
    res.status(201).json(await users.create(validate(createBody, req.body)));
  });

  router.post('/user/login', async (req, res) => {
    const { up, username, password } = validate(loginBody, req.body);
    const credentials = up !== undefined ? { up, password } : { username: username ?? '', password };
    res.json(await users.login(credentials));
  });

  router.get('/user', async (req, res) => {
    res.json(await users.list(validate(listQuery, req.query)));
  });

  // Fixed paths before /:up.
  router.post('/user/presence', async (req, res) => {
    const { online, offline } = validate(presenceBody, req.body);
    res.json(await users.setPresence(online, offline));
  });

  router.get('/user/:up', async (req, res) => {
    const { up } = validate(upParamsSchema, req.params);
    res.json(await users.get(up));
  });

  router.post('/user/:up', async (req, res) => {
    const { up } = validate(upParamsSchema, req.params);
    res.json(await users.update(up, validate(updateBody, req.body)));
  });

  return router;
}
