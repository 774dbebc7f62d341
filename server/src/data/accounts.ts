/**
 * The data service's account and session routes as typed calls
 * (docs/design.md, Sessions). Errors arrive as AppError with the shared codes.
 */
import { restContract } from '@chat/contract';
import type {
  SessionGrant, SessionState, Up, User,
} from '@chat/contract';
import { createDataRequest } from './http';
import type { DataHttpOptions } from './http';

const enc = encodeURIComponent;
const routes = restContract.dataService;

export function createAccountClient(options: DataHttpOptions) {
  const request = createDataRequest(options);
  return {
    createSession: (up: Up, ttlSeconds: number): Promise<SessionGrant> => (
      request('POST', '/session', routes.createSession.responses[201].schema, { body: { up, ttlSeconds } })),
    /** A 401 here is the user's (a bad or reused refresh token), not this server's. */
    refreshSession: (refreshToken: string): Promise<SessionGrant> => (
      request('POST', '/session/refresh', routes.refreshSession.responses[200].schema, {
        body: { refreshToken }, userCredentials: true,
      })),
    sessionState: (up: Up, sid: string | undefined): Promise<SessionState> => (
      request('GET', '/session/state', routes.sessionState.responses[200].schema, {
        query: sid === undefined ? { up } : { up, sid },
      })),
    /** `sessionState` of up to SESSION_STATES_MAX sessions in one call, in order. */
    sessionStates: async (asked: ReadonlyArray<{ up: Up; sid?: string }>): Promise<SessionState[]> => (
      (await request('POST', '/session/states', routes.sessionStates.responses[200].schema, {
        body: { sessions: asked.map(({ up, sid }) => (sid === undefined ? { up } : { up, sid })) },
      })).states),
    revokeSession: (sid: string): Promise<undefined> => request('DELETE', `/session/${enc(sid)}`, null),
    revokeUserSessions: (up: Up): Promise<{ signedOutBefore: string; sessions: string[] }> => (
      request('POST', `/user/${enc(up)}/sessions/revoke`, routes.revokeUserSessions.responses[200].schema)),
    changePassword: (
      up: Up,
      body: { oldPassword: string; newPassword: string; keepSession?: string },
    ): Promise<{ signedOutBefore: string; sessions: string[] }> => (
      request('POST', `/user/${enc(up)}/password`, routes.changePassword.responses[200].schema, { body })),
    updateProfile: (up: Up, body: { username?: string; name?: string }): Promise<User> => (
      request('POST', `/user/${enc(up)}`, routes.updateUser.responses[200].schema, { body })),
  };
}

export type AccountClient = ReturnType<typeof createAccountClient>;
