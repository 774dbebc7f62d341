/**
 * Accounts: register and log in (the data service hashes and checks the
 * password; this server never sees a hash) and get a token; `me`.
 * Register and login are rate-limited per IP.
 */
import { Router } from 'express';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { LIMITS, validate } from '@chat/shared';
import type { User } from '@chat/shared';
import type { ChatContext } from '../context';
import { upField } from '../sockets/validation';
import { currentUser, requireUser } from './require-user';

const password = z.string().min(LIMITS.passwordMin).max(LIMITS.passwordMax);

const registerSchema = z.object({
  up: upField,
  username: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').min(1).max(LIMITS.username),
  name: z.string().trim().min(1).max(LIMITS.name),
  password,
});

const loginSchema = z.object({
  up: upField.optional(),
  username: z.string().min(1).max(LIMITS.username).optional(),
  password: z.string().min(1).max(LIMITS.passwordMax),
}).refine((body) => (body.up === undefined) !== (body.username === undefined), {
  message: 'give exactly one of up or username',
});

export function authRoutes(ctx: ChatContext): Router {
  const router = Router();
  const withToken = (user: User) => ({
    token: ctx.tokens.sign({ up: user.up, username: user.username }),
    user,
  });
  const limited: RequestHandler = (req, _res, next) => {
    ctx.limiters.auth.consume(req.ip ?? 'unknown').then(() => next(), next);
  };

  router.post('/auth/register', limited, async (req, res) => {
    const body = validate(registerSchema, req.body);
    const user = await ctx.data.createUser(body);
    res.status(201).json(withToken(user));
  });

  router.post('/auth/login', limited, async (req, res) => {
    const body = validate(loginSchema, req.body);
    const user = await ctx.data.login(body);
    res.json(withToken(user));
  });

  router.get('/auth/me', requireUser(ctx.tokens), async (req, res) => {
    res.json({ user: await ctx.data.getUser(currentUser(req).up) });
  });

  return router;
}
