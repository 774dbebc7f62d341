/**
 * Sessions and the account page (docs/design.md, Sessions): renew the access
 * token (rotating the refresh token), sign out, sign out everywhere, change
 * the password, edit the profile. Every sign-out is announced to every chat
 * server, which end the sockets concerned with `session ended`.
 */
import { Router } from 'express';
import type { RequestHandler } from 'express';
import {
  AppError, audit, restContract, route,
} from '@chat/shared';
import type { User, VerifiedToken } from '@chat/shared';
import type { ChatContext } from '../context';
import { currentUser, requireUser } from './require-user';

const routes = restContract.chatServer;

/** An access token for `user` in session `sid`. */
export const accessFor = (ctx: Pick<ChatContext, 'tokens'>, user: User, sid: string | undefined) => ({
  token: ctx.tokens.sign({ up: user.up, username: user.username, sid }),
  expiresIn: ctx.tokens.ttlSeconds,
});

/** A new session for `user`, who just signed in or registered: access and refresh tokens. */
export async function openSession(ctx: ChatContext, user: User) {
  const session = await ctx.accounts.createSession(user.up, ctx.config.sessionTtlSeconds);
  return { ...accessFor(ctx, user, session.id), refreshToken: session.refreshToken, user };
}

export function accountRoutes(ctx: ChatContext): Router {
  const router = Router();
  const signedIn = requireUser(ctx);
  const limited: RequestHandler = (req, _res, next) => {
    ctx.limiters.auth.consume(req.ip ?? 'unknown').then(() => next(), next);
  };
  const note = (event: string, caller: VerifiedToken, ip: string | undefined, outcome: 'success' | 'refused' = 'success') => {
    audit(ctx.logger, {
      event, actor: caller.up, target: caller.up, outcome, ip, detail: { session: caller.sid ?? null },
    });
  };

  route(router, routes.refresh, limited)(async ({ body }, req) => {
    let session;
    try {
      session = await ctx.accounts.refreshSession(body.refreshToken);
    } catch (err) {
      if (err instanceof AppError && err.code === 'UNAUTHORIZED') {
        audit(ctx.logger, {
          event: 'auth.refresh', actor: null, outcome: 'failure', ip: req.ip, detail: { reason: err.message },
        });
      }
      throw err;
    }
    const user = await ctx.data.getUser(session.up);
    return {
      status: 200,
      body: { ...accessFor(ctx, user, session.id), refreshToken: session.refreshToken, user },
    };
  });

  route(router, routes.logout, signedIn)(async (_input, req) => {
    const caller = currentUser(req);
    if (caller.sid !== undefined) {
      await ctx.accounts.revokeSession(caller.sid);
      ctx.sessions.announce({ up: caller.up, sids: [caller.sid], before: null });
    } else {
      // A token from outside a sign-in has no session of its own: every such token of the user ends.
      const { signedOutBefore, sessions } = await ctx.accounts.revokeUserSessions(caller.up);
      ctx.sessions.announce({ up: caller.up, sids: sessions, before: Date.parse(signedOutBefore) });
    }
    note('auth.logout', caller, req.ip);
    return { status: 204 };
  });

  route(router, routes.logoutAll, signedIn)(async (_input, req) => {
    const caller = currentUser(req);
    const { signedOutBefore, sessions } = await ctx.accounts.revokeUserSessions(caller.up);
    ctx.sessions.announce({ up: caller.up, sids: sessions, before: Date.parse(signedOutBefore) });
    note('auth.logout-all', caller, req.ip);
    return { status: 204 };
  });

  route(router, routes.changePassword, signedIn)(async ({ body }, req) => {
    const caller = currentUser(req);
    let signedOut;
    try {
      signedOut = await ctx.accounts.changePassword(caller.up, { ...body, keepSession: caller.sid });
    } catch (err) {
      if (err instanceof AppError && err.code === 'FORBIDDEN') note('auth.password', caller, req.ip, 'refused');
      throw err;
    }
    ctx.sessions.announce({ up: caller.up, sids: signedOut.sessions, before: Date.parse(signedOut.signedOutBefore) });
    note('auth.password', caller, req.ip);
    const user = await ctx.data.getUser(caller.up);
    return { status: 200, body: { ...accessFor(ctx, user, caller.sid), user } };
  });

  route(router, routes.updateProfile, signedIn)(async ({ body }, req) => {
    const caller = currentUser(req);
    const user = await ctx.accounts.updateProfile(caller.up, body);
    return { status: 200, body: { ...accessFor(ctx, user, caller.sid), user } };
  });

  return router;
}
