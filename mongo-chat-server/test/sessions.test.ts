/**
 * The data service's sessions (docs/design.md, Sessions): only hashes stored,
 * refresh rotation, reuse detection, sign-out of one or all, the state the chat
 * servers ask for, the password change; and a send marking the sender's read
 * position in the same round.
 */
import assert from 'node:assert/strict';
import { startDataService } from '../src/service';
import {
  apiFor, assertMatchesSpec, commandsSent, createGroup, createUser, PASSWORD, postMessage, startHarness, testConfig,
} from './helpers';
import type { Harness } from './helpers';

interface Grant { id: string; up: string; refreshToken: string; expiresAt: string }

describe('data service: sessions', function () {
  this.timeout(30000);
  let h: Harness;
  before(async () => {
    h = await startHarness('sessions');
    await createUser(h.api, '301000001');
    await createUser(h.api, '301000002');
  });
  after(async () => { await h?.close(); });

  const open = async (up = '301000001'): Promise<Grant> => {
    const res = await h.api.post('/session', { up, ttlSeconds: 3600 });
    assertMatchesSpec('post', '/session', res);
    assert.equal(res.status, 201);
    return res.body as Grant;
  };
  const state = async (sid: string, up = '301000001') => {
    const res = await h.api.get(`/session/state?up=${up}&sid=${sid}`);
    assertMatchesSpec('get', '/session/state', res);
    return res.body as { revoked: boolean; signedOutBefore: string | null };
  };

  it('opens a session storing only a hash of its refresh token, and refuses unknown users', async () => {
    const grant = await open();
    const [, secret] = grant.refreshToken.split('.');
    const stored = await h.db.collection('sessions').findOne({ _id: grant.id as never });
    assert.ok(stored && !JSON.stringify(stored).includes(secret!), 'the secret is not stored');
    assert.equal((await state(grant.id)).revoked, false);
    assert.equal((await h.api.post('/session', { up: '309999999', ttlSeconds: 3600 })).status, 404);
    assert.equal((await h.api.post('/session', { up: '301000001', ttlSeconds: 1 })).status, 400);
  });

  it('rotates the refresh token; the rotated-away one signs the session out', async () => {
    const grant = await open();
    const first = await h.api.post('/session/refresh', { refreshToken: grant.refreshToken });
    assertMatchesSpec('post', '/session/refresh', first);
    assert.equal(first.status, 200);
    assert.equal(first.body.id, grant.id);
    const second = await h.api.post('/session/refresh', { refreshToken: first.body.refreshToken });
    assert.equal(second.status, 200);
    assert.equal((await state(grant.id)).revoked, false);

    const reused = await h.api.post('/session/refresh', { refreshToken: grant.refreshToken });
    assert.equal(reused.status, 401);
    assertMatchesSpec('post', '/session/refresh', reused);
    assert.equal((await state(grant.id)).revoked, true);
    assert.equal((await h.api.post('/session/refresh', { refreshToken: second.body.refreshToken })).status, 401);
    const forged = await h.api.post('/session/refresh', { refreshToken: `${grant.id}.made-up` });
    assert.equal(forged.status, 401);
  });

  it('answers many states in one call, in the order asked, as the single call would, and refuses a bad list', async () => {
    const live = await open();
    const gone = await open();
    await h.api.delete(`/session/${gone.id}`);
    const theirs = await open('301000002');
    const asked = [
      { up: '301000001', sid: live.id },
      { up: '301000001', sid: gone.id },
      { up: '301000001', sid: theirs.id }, // another user's session
      { up: '301000002' }, // a user's tokens without a session
      { up: '309999999' }, // no such user
      { up: '301000001', sid: live.id }, // asked twice
    ];
    const res = await h.api.post('/session/states', { sessions: asked });
    assertMatchesSpec('post', '/session/states', res);
    assert.equal(res.status, 200);
    const revoked = res.body.states.map((one: { revoked: boolean }) => one.revoked);
    assert.deepEqual(revoked, [false, true, true, false, true, false]);
    for (const [i, one] of asked.entries()) {
      const single = await h.api.get(`/session/state?up=${one.up}${one.sid ? `&sid=${one.sid}` : ''}`);
      assert.deepEqual(res.body.states[i], single.body, `state ${i} as GET /session/state answers it`);
    }
    for (const bad of [{ sessions: [] }, { sessions: Array(201).fill({ up: '301000001' }) }, { sessions: [{ up: 'a b' }] }, { sessions: [{ up: '301000001', sid: 'short' }] }]) {
      const refused = await h.api.post('/session/states', bad);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'VALIDATION_FAILED');
    }
  });

  it('answers many states from what it read before, yet sees a sign-out at once here and within seconds on another replica', async () => {
    const states = async (api: typeof h.api, asked: { up: string; sid?: string }[]) => {
      const res = await api.post('/session/states', { sessions: asked });
      assert.equal(res.status, 200);
      return (res.body.states as { revoked: boolean }[]).map((one) => one.revoked);
    };
    const here = await open();
    const there = await open();
    const asked = [{ up: '301000001', sid: here.id }, { up: '301000001', sid: there.id }, { up: '301000002' }];
    const replica = await startDataService(testConfig(h.mongoUrl, h.logDir));
    try {
      const other = apiFor(replica.url);
      assert.deepEqual(await states(h.api, asked), [false, false, false]);
      assert.deepEqual(await states(other, asked), [false, false, false], 'both replicas now hold these answers');
      // Signed out through this replica: this one answers it at once.
      assert.equal((await h.api.delete(`/session/${here.id}`)).status, 204);
      assert.deepEqual(await states(h.api, asked), [true, false, false]);
      // Signed out through the other replica (every session of the user): this one answers it within seconds.
      assert.equal((await other.post('/user/301000001/sessions/revoke')).status, 200);
      const since = Date.now();
      let revoked = await states(h.api, asked);
      while (revoked[1] === false && Date.now() - since < 10000) {
        await new Promise((resolve) => { setTimeout(resolve, 200); });
        revoked = await states(h.api, asked);
      }
      assert.deepEqual(revoked, [true, true, false], `seen after ${Date.now() - since} ms`);
    } finally {
      await replica.close();
    }
  });

  it('keeps what a handshake check read, so the re-check of that socket reads nothing', async () => {
    const grant = await open('301000002');
    const usersRead = () => commandsSent(h.api, 'find', 'users');
    const sessionsRead = () => commandsSent(h.api, 'find', 'sessions');
    assert.equal((await state(grant.id, '301000002')).revoked, false);
    const [users, sessions] = [await usersRead(), await sessionsRead()];
    const res = await h.api.post('/session/states', { sessions: [{ up: '301000002', sid: grant.id }] });
    assert.deepEqual(res.body.states.map((one: { revoked: boolean }) => one.revoked), [false]);
    assert.deepEqual([await usersRead(), await sessionsRead()], [users, sessions], 'answered from what the check read');
    // A sign-out still shows at once.
    assert.equal((await h.api.delete(`/session/${grant.id}`)).status, 204);
    assert.equal((await state(grant.id, '301000002')).revoked, true);
  });

  it('signs one session out, or all of a user\'s, naming those it signed out', async () => {
    const one = await open();
    const two = await open();
    const theirs = await open('301000002');
    const out = await h.api.delete(`/session/${one.id}`);
    assert.equal(out.status, 204);
    assert.equal((await state(one.id)).revoked, true);
    assert.equal((await state(two.id)).revoked, false);

    const all = await h.api.post('/user/301000001/sessions/revoke');
    assertMatchesSpec('post', '/user/{up}/sessions/revoke', all);
    assert.ok(all.body.sessions.includes(two.id));
    assert.ok(!all.body.sessions.includes(one.id), 'already signed out');
    assert.equal((await state(two.id)).revoked, true);
    assert.equal((await state(two.id)).signedOutBefore, all.body.signedOutBefore);
    assert.equal((await state(theirs.id, '301000002')).revoked, false, "another user's session stays");
    assert.equal((await state(theirs.id)).revoked, true, 'a session is only valid for its own user');
  });

  it('changes a password only with the old one, keeping one session and signing out the rest', async () => {
    const kept = await open();
    const other = await open();
    const wrong = await h.api.post('/user/301000001/password', { oldPassword: 'nope', newPassword: 'new password 1' });
    assertMatchesSpec('post', '/user/{up}/password', wrong);
    assert.equal(wrong.status, 403);
    const changed = await h.api.post('/user/301000001/password', {
      oldPassword: PASSWORD, newPassword: 'new password 1', keepSession: kept.id,
    });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body.sessions, [other.id]);
    assert.equal((await state(kept.id)).revoked, false);
    assert.equal((await state(other.id)).revoked, true);
    assert.equal((await h.api.post('/user/login', { up: '301000001', password: PASSWORD })).status, 401);
    assert.equal((await h.api.post('/user/login', { up: '301000001', password: 'new password 1' })).status, 200);
  });

  it('moves the sender\'s read position up to each message it stores, not the other members\'', async () => {
    const group = await createGroup(h.api, 'read on send', ['301000001', '301000002']);
    await postMessage(h.api, group.id, '301000002', 'first');
    await postMessage(h.api, group.id, '301000001', 'second');
    const read = async (up: string) => (await h.api.get(`/group/${group.id}/members/${up}`)).body.lastReadSeq as number;
    assert.deepEqual([await read('301000001'), await read('301000002')], [2, 1]);
  });
});
