/** GET /chat/location: the placement, or the error in the shared shape. */
import assert from 'node:assert/strict';
import { ProtocolError } from '../src/errors';
import { fetchLocation, httpLocator } from '../src/locator';

/** A fetch that answers one status and body, and records what it was asked. */
function answering(status: number, body: unknown) {
  const asked: { url: string; authorization: string | null }[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    asked.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  };
  return { fetchImpl, asked };
}

describe('protocol client: locator', () => {
  it('asks with the bearer token and answers the placement', async () => {
    const { fetchImpl, asked } = answering(200, { url: 'http://chat-1:3000', serverId: 'chat-1', mapVersion: 4 });
    let token = 'first';
    const locate = httpLocator('http://dispatcher:4000/', () => token, fetchImpl);
    assert.deepEqual(await locate(), { url: 'http://chat-1:3000', serverId: 'chat-1', mapVersion: 4 });
    token = 'renewed';
    await locate();
    assert.deepEqual(asked, [
      { url: 'http://dispatcher:4000/chat/location', authorization: 'Bearer first' },
      { url: 'http://dispatcher:4000/chat/location', authorization: 'Bearer renewed' },
    ]);
  });

  it('rejects with the answer\'s code, or one chosen by the status, or INTERNAL for a body that is no placement', async () => {
    const refused = answering(401, { error: { code: 'UNAUTHORIZED', message: 'token expired' } });
    await assert.rejects(fetchLocation('http://d', 't', refused.fetchImpl), (err: unknown) => (
      err instanceof ProtocolError && err.code === 'UNAUTHORIZED' && err.message === 'token expired'));
    const bare401 = answering(401, 'nope');
    await assert.rejects(fetchLocation('http://d', 't', bare401.fetchImpl), (err: unknown) => (
      err instanceof ProtocolError && err.code === 'UNAUTHORIZED'));
    const down = answering(503, '<html>bad gateway</html>');
    await assert.rejects(fetchLocation('http://d', 't', down.fetchImpl), (err: unknown) => (
      err instanceof ProtocolError && err.code === 'UNAVAILABLE'));
    const page = answering(200, '<html>not the API</html>');
    await assert.rejects(fetchLocation('http://d', 't', page.fetchImpl), (err: unknown) => (
      err instanceof ProtocolError && err.code === 'INTERNAL'));
  });
});
