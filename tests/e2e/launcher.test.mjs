// The launcher (support/server.mjs) and the cookie jar, against whichever server this run uses:
// the origin line, the page's files, Better Auth's client in Node with makeCookieFetch, a clean
// stop on SIGTERM, and the error a server that dies at start gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAuthClient } from 'better-auth/client';
import { anonymousClient } from 'better-auth/client/plugins';
import { makeCookieFetch, startServer } from './support/server.mjs';

test('the server starts, serves the page and the cart, and stops cleanly on SIGTERM', { timeout: 30_000 }, async (t) => {
  const server = await startServer();
  try {
    t.diagnostic(`${server.kind} server at ${server.origin}`);
    assert.match(server.origin, /^http:\/\/127\.0\.0\.1:\d+$/);

    const page = await fetch(`${server.origin}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    const html = await page.text();
    for (const [asset, type] of [['/app.js', /^text\/javascript/], ['/style.css', /^text\/css/]]) {
      assert.ok(html.includes(`"${asset}"`), `the page references ${asset}`);
      const response = await fetch(`${server.origin}${asset}`);
      assert.equal(response.status, 200, asset);
      assert.match(response.headers.get('content-type') ?? '', type, asset);
      assert.ok((await response.arrayBuffer()).byteLength > 0, asset);
    }
    assert.equal((await fetch(`${server.origin}/no-such-page`)).status, 404);

    const cookieFetch = makeCookieFetch({ origin: server.origin });
    const client = createAuthClient({
      baseURL: server.origin,
      plugins: [anonymousClient()],
      fetchOptions: { customFetchImpl: cookieFetch },
    });
    const cart = async (init) => {
      const response = await cookieFetch(`${server.origin}/api/cart`, init);
      return { status: response.status, body: await response.json() };
    };

    assert.deepEqual(await cart(), { status: 401, body: { message: 'Unauthorized', code: 'UNAUTHORIZED' } });

    const guest = await client.signIn.anonymous();
    assert.equal(guest.error, null);
    assert.ok(cookieFetch.jar.has('better-auth.session_token'), 'the jar holds the session cookie');
    assert.match(cookieFetch.cookieHeader(), /^better-auth\.session_token=/);

    assert.deepEqual(await cart(), { status: 200, body: { items: [] } });
    const added = await cart({ method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sku: 'mug', quantity: 2 }) });
    assert.equal(added.status, 200);
    assert.deepEqual(added.body.items.map(({ sku, quantity }) => [sku, quantity]), [['mug', 2]]);

    const session = await client.getSession();
    assert.equal(session.data?.user.id, guest.data.user.id);
    assert.equal(session.data?.user.isAnonymous, true);

    assert.equal((await client.signOut()).error, null);
    assert.equal(cookieFetch.jar.has('better-auth.session_token'), false, 'Max-Age=0 removed the cookie');
    assert.equal((await cart()).status, 401);
  } finally {
    const { code, signal } = await server.stop();
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, `the server exits 0 on SIGTERM\n${server.stderr()}`);
  }
});

test('a server that exits before printing its origin: the error says so, with its stderr', { timeout: 20_000 }, async () => {
  // Node itself as the "server": it refuses the --port option and exits.
  await assert.rejects(
    startServer({ kind: 'anonauth', env: { ANONAUTH_SERVER_BIN: process.execPath } }),
    (e) => {
      assert.match(e.message, /exited \(code \d+\) before printing its origin/);
      assert.match(e.message, /--- server stderr ---\n.*--port/s);
      return true;
    });
});

test('the cookie jar stores, replaces and expires cookies by name', async () => {
  const replies = [
    ['a=1; Max-Age=60; Path=/; HttpOnly', 'b=2'],
    ['a=3; Path=/', 'b=; Max-Age=0; Path=/'],
    ['a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT'],
  ];
  const sent = [];
  const fake = async (input, init) => {
    sent.push({ cookie: init.headers.get('cookie'), origin: init.headers.get('origin') });
    const headers = new Headers();
    for (const line of replies[sent.length - 1] ?? []) headers.append('set-cookie', line);
    return new Response('{}', { headers });
  };
  const cookieFetch = makeCookieFetch({ origin: 'http://127.0.0.1:1', fetch: fake });
  await cookieFetch('http://127.0.0.1:1/x');
  assert.deepEqual([...cookieFetch.jar], [['a', '1'], ['b', '2']]);
  await cookieFetch('http://127.0.0.1:1/x', { method: 'POST' });
  assert.deepEqual([...cookieFetch.jar], [['a', '3']]);
  await cookieFetch('http://127.0.0.1:1/x', { method: 'GET', headers: { Cookie: 'mine=1' } });
  assert.deepEqual([...cookieFetch.jar], []);
  assert.deepEqual(sent, [
    { cookie: null, origin: null },
    { cookie: 'a=1; b=2', origin: 'http://127.0.0.1:1' },
    { cookie: 'mine=1', origin: null },
  ]);
});
