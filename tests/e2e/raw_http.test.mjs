// The wire itself, request by request with node:http (support/http.mjs), against whichever
// server this run uses: the Set-Cookie lines byte for byte and their signatures, remember-me,
// sign-out, get-session's answers, forged cookies, the origin checks, bearer tokens, CORS, the
// router, and the limits on bodies and headers.
//
//   ANONAUTH_E2E_SERVER=reference ANONAUTH_WEB_DIR=<built page> node --test raw_http.test.mjs
//   ANONAUTH_SERVER_BIN=<example_server> node --test raw_http.test.mjs
//
// Both servers get the same --secret, so the test computes the signatures itself. Where anonauth
// deliberately answers otherwise than Better Auth the test branches on the server kind and says
// why.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { rawRequest } from './support/http.mjs';
import { serverKind, startServer } from './support/server.mjs';

const kind = serverKind();
const anonauth = kind === 'anonauth';
const TIMEOUT_MS = 60_000;
const SECRET = 'e2e-raw-http-secret-0123456789abcdefghijklmnop';
const TRUSTED = 'http://trusted.example';
const EVIL = 'http://evil.example';
const SESSION = 'better-auth.session_token';
const JSON_TYPE = ['Content-Type', 'application/json'];

const sign = (value) => createHmac('sha256', SECRET).update(value).digest('base64');
const signed = (value) => `${value}.${sign(value)}`;
const uniqueEmail = (who) => `${who}-${randomBytes(5).toString('hex')}@example.com`;

/** The expected Set-Cookie line of a live session cookie. */
const sessionCookieLine = (token, { remember = true } = {}) =>
  `${SESSION}=${encodeURIComponent(signed(token))}; ${remember ? 'Max-Age=604800; ' : ''}Path=/; HttpOnly; SameSite=Lax`;
const expiredLine = (name) => `${name}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`;
const EXPIRED_ALL = [SESSION, 'better-auth.session_data', 'better-auth.dont_remember'].map(expiredLine);

describe(`the wire of the ${kind} server`, { timeout: TIMEOUT_MS }, () => {
  let server;
  let origin;
  const req = (method, target, options) => rawRequest(origin, method, target, options);
  const post = (path, body, headers = []) => req('POST', `/api/auth${path}`, {
    headers: body === undefined ? headers : [JSON_TYPE, ...headers],
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
  });
  const getSession = (headers = [], query = '') => req('GET', `/api/auth/get-session${query}`, { headers });
  const cookieOf = (token) => ['Cookie', `${SESSION}=${encodeURIComponent(signed(token))}`];

  /** A new guest: its token and the answer. */
  const guest = async () => {
    const res = await post('/sign-in/anonymous');
    assert.equal(res.status, 200, res.text);
    return { token: res.json().token, res };
  };
  const account = { name: 'Wire Tester', email: uniqueEmail('wire'), password: 'password-on-the-wire' };

  before(async () => {
    server = await startServer({ args: ['--secret', SECRET, '--trusted-origin', TRUSTED] });
    origin = server.origin;
    const res = await post('/sign-up/email', account);
    assert.equal(res.status, 200, res.text);
  });
  after(async () => { await server?.stop(); });

  describe('cookies', () => {
    test('anonymous sign-in: one Set-Cookie, the signed token, its attributes in order', async () => {
      const res = await post('/sign-in/anonymous');
      assert.equal(res.status, 200);
      assert.match(res.header('content-type'), /^application\/json/);
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['token', 'user']);
      assert.match(body.token, /^[A-Za-z0-9]{32}$/);

      const lines = res.all('set-cookie');
      assert.equal(lines.length, 1, `exactly one Set-Cookie: ${JSON.stringify(lines)}`);
      const match = /^better-auth\.session_token=([^;]+); Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax$/.exec(lines[0]);
      assert.ok(match, `the line: ${lines[0]}`);
      const value = decodeURIComponent(match[1]);
      assert.equal(match[1], encodeURIComponent(value), 'the value is URL-encoded');
      const dot = value.lastIndexOf('.');
      const [token, signature] = [value.slice(0, dot), value.slice(dot + 1)];
      assert.equal(token, body.token, 'the cookie carries body.token');
      assert.match(signature, /^[A-Za-z0-9+/]{43}=$/, 'a 44-character base64 signature');
      assert.equal(signature, sign(token), 'HMAC-SHA256 of the token under the secret');
      assert.equal(lines[0], sessionCookieLine(token));
      assert.doesNotMatch(lines[0], /Secure|Domain/, 'no Secure or Domain over plain http');

      // The bearer plugin's header: the same signed token, exposed to scripts.
      assert.equal(res.header('set-auth-token'), value);
      assert.match(res.header('access-control-expose-headers') ?? '', /(^|,\s*)set-auth-token(\s*,|$)/);
    });

    test('sign-in with rememberMe: false: no Max-Age, and the signed dont_remember cookie', async () => {
      const res = await post('/sign-in/email', { email: account.email, password: account.password, rememberMe: false });
      assert.equal(res.status, 200, res.text);
      const { token } = res.json();
      assert.deepEqual(res.all('set-cookie').sort(), [
        `better-auth.dont_remember=${encodeURIComponent(signed('true'))}; Path=/; HttpOnly; SameSite=Lax`,
        sessionCookieLine(token, { remember: false }),
      ].sort());

      // get-session with both cookies: the session, never refreshed, so no Set-Cookie.
      const session = await getSession([['Cookie',
        `${SESSION}=${encodeURIComponent(signed(token))}; better-auth.dont_remember=${encodeURIComponent(signed('true'))}`]]);
      assert.equal(session.status, 200);
      assert.equal(session.json().session.token, token);
      assert.deepEqual(session.all('set-cookie'), []);
    });

    test('sign-out expires the three cookies, with a session or without', async () => {
      const { token } = await guest();
      const res = await post('/sign-out', undefined, [cookieOf(token), ['Origin', origin]]);
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { success: true });
      assert.deepEqual(res.all('set-cookie').sort(), [...EXPIRED_ALL].sort());
      assert.equal((await getSession([cookieOf(token)])).text, 'null', 'the session is gone');

      const bare = await post('/sign-out');
      assert.equal(bare.status, 200);
      assert.deepEqual(bare.json(), { success: true });
      assert.deepEqual(bare.all('set-cookie').sort(), [...EXPIRED_ALL].sort());
    });

    test('delete-anonymous-user expires the three cookies', async () => {
      const { token } = await guest();
      const res = await post('/delete-anonymous-user', {}, [cookieOf(token), ['Origin', origin]]);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json(), { success: true });
      assert.deepEqual(res.all('set-cookie').sort(), [...EXPIRED_ALL].sort());
    });

    test('refusals set no cookie: a second guest sign-in, a taken email', async () => {
      const { token } = await guest();
      const again = await post('/sign-in/anonymous', undefined, [cookieOf(token), ['Origin', origin]]);
      assert.equal(again.status, 400);
      assert.deepEqual(again.json(), {
        message: 'Anonymous users cannot sign in again anonymously',
        code: 'ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY',
      });
      assert.deepEqual(again.all('set-cookie'), []);
      assert.equal(again.header('set-auth-token'), null);

      const taken = await post('/sign-up/email', { ...account, name: 'Other' }, [cookieOf(token), ['Origin', origin]]);
      assert.equal(taken.status, 422);
      assert.deepEqual(taken.json(), {
        message: 'User already exists. Use another email.', code: 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL',
      });
      assert.deepEqual(taken.all('set-cookie'), []);
      assert.equal((await getSession([cookieOf(token)])).json().session.token, token, 'the guest is still signed in');
    });

    test('sign-in with a callbackURL: redirect and url in the body, a Location header', async () => {
      const res = await post('/sign-in/email', { email: account.email, password: account.password, callbackURL: '/welcome' });
      assert.equal(res.status, 200, res.text);
      const body = res.json();
      assert.deepEqual(Object.keys(body), ['redirect', 'token', 'url', 'user']);
      assert.equal(body.redirect, true);
      assert.equal(body.url, '/welcome');
      assert.equal(res.header('location'), '/welcome');
      assert.deepEqual(res.all('set-cookie'), [sessionCookieLine(body.token)]);
    });

    test('a guest signing up: the new session\'s cookie, the guest\'s is dead', async () => {
      const { token } = await guest();
      const res = await post('/sign-up/email', { name: 'Linked', email: uniqueEmail('linked'), password: 'password-1234' },
        [cookieOf(token), ['Origin', origin]]);
      assert.equal(res.status, 200, res.text);
      const body = res.json();
      assert.notEqual(body.token, token);
      assert.deepEqual(res.all('set-cookie'), [sessionCookieLine(body.token)]);
      assert.equal(res.header('set-auth-token'), signed(body.token));
      assert.equal((await getSession([cookieOf(token)])).text, 'null');
      assert.equal((await getSession([cookieOf(body.token)])).json().user.email, body.user.email);
    });

    test('update-user sends the same session cookie again', async () => {
      const { token } = await guest();
      const res = await post('/update-user', { bio: 'on the wire' }, [cookieOf(token), ['Origin', origin]]);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json(), { status: true });
      assert.deepEqual(res.all('set-cookie'), [sessionCookieLine(token)]);
    });
  });

  describe('get-session', () => {
    test('a session: {session, user}, no-store', async () => {
      const { token } = await guest();
      const res = await getSession([cookieOf(token)]);
      assert.equal(res.status, 200);
      assert.match(res.header('content-type'), /^application\/json/);
      assert.equal(res.header('cache-control'), 'no-store');
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['session', 'user']);
      assert.equal(body.session.token, token);
      assert.deepEqual(res.all('set-cookie'), [], 'a fresh session is not refreshed');
    });

    test('no cookie: 200 null, application/json, no-store', async () => {
      const res = await getSession();
      assert.equal(res.status, 200);
      assert.equal(res.text, 'null');
      assert.match(res.header('content-type'), /^application\/json/);
      assert.equal(res.header('cache-control'), 'no-store');
      assert.deepEqual(res.all('set-cookie'), []);
    });

    test('a forged, truncated or bare cookie: null and no Set-Cookie', async () => {
      const { token } = await guest();
      const signature = sign(token);
      const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
      const cases = {
        forged: `${token}.${flipped}`,
        truncated: `${token}.${signature.slice(0, 20)}`,
        'no signature': `${token}.`,
        bare: token,
        'another secret': `${token}.${createHmac('sha256', 'x'.repeat(40)).update(token).digest('base64')}`,
        garbage: '%%%not-a-cookie',
      };
      for (const [what, value] of Object.entries(cases)) {
        const encoded = what === 'garbage' ? value : encodeURIComponent(value);
        const res = await getSession([['Cookie', `${SESSION}=${encoded}`]]);
        assert.equal(res.status, 200, what);
        assert.equal(res.text, 'null', what);
        assert.equal(res.header('cache-control'), 'no-store', what);
        assert.deepEqual(res.all('set-cookie'), [], `${what}: no Set-Cookie`);
      }
      assert.equal((await getSession([cookieOf(token)])).json().session.token, token, 'the real cookie still works');
    });

    test('a signed cookie whose session is gone: null, and the cookies are expired', async () => {
      const { token } = await guest();
      assert.equal((await post('/sign-out', undefined, [cookieOf(token), ['Origin', origin]])).status, 200);
      const res = await getSession([cookieOf(token)]);
      assert.equal(res.status, 200);
      assert.equal(res.text, 'null');
      assert.deepEqual(res.all('set-cookie').sort(), [...EXPIRED_ALL].sort());
    });
  });

  describe('origin checks', () => {
    const updateWith = async (headers) => {
      const { token } = await guest();
      return post('/update-user', { bio: 'csrf?' }, [cookieOf(token), ...headers]);
    };
    const expectRefusal = (res, code, message) => {
      assert.equal(res.status, 403, res.text);
      assert.deepEqual(res.json(), { message, code });
    };

    test('a cookie-bearing POST needs a trusted Origin or Referer', async () => {
      expectRefusal(await updateWith([]), 'MISSING_OR_NULL_ORIGIN', 'Missing or null Origin');
      expectRefusal(await updateWith([['Origin', 'null']]), 'MISSING_OR_NULL_ORIGIN', 'Missing or null Origin');
      expectRefusal(await updateWith([['Origin', EVIL]]), 'INVALID_ORIGIN', 'Invalid origin');
      expectRefusal(await updateWith([['Referer', `${EVIL}/page`]]), 'INVALID_ORIGIN', 'Invalid origin');
      expectRefusal(await updateWith([['Origin', EVIL], ['Referer', `${origin}/`]]), 'INVALID_ORIGIN', 'Invalid origin');
      for (const headers of [[['Origin', origin]], [['Origin', TRUSTED]], [['Referer', `${origin}/cart?x=1`]],
        [['Origin', 'null'], ['Sec-Fetch-Site', 'same-origin']]]) {
        const res = await updateWith(headers);
        assert.equal(res.status, 200, `${JSON.stringify(headers)}: ${res.text}`);
        assert.deepEqual(res.json(), { status: true });
      }
    });

    test('any cookie counts, even one that is not the session\'s', async () => {
      const res = await post('/sign-in/anonymous', undefined, [['Cookie', 'theme=dark']]);
      expectRefusal(res, 'MISSING_OR_NULL_ORIGIN', 'Missing or null Origin');
    });

    test('a bearer-only POST needs no Origin', async () => {
      const { res: signedIn } = await guest();
      const bearer = signedIn.header('set-auth-token');
      const res = await post('/update-user', { bio: 'from a native app' }, [['Authorization', `Bearer ${bearer}`]]);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json(), { status: true });
      const session = await getSession([['Authorization', `Bearer ${bearer}`]]);
      assert.equal(session.json().user.bio, 'from a native app');
    });

    test('a GET with cookies needs no Origin', async () => {
      const { token } = await guest();
      const res = await getSession([cookieOf(token), ['Origin', EVIL]]);
      assert.equal(res.status, 200);
      assert.equal(res.json().session.token, token);
    });
  });

  describe('bearer tokens', () => {
    test('Authorization: Bearer with set-auth-token, its encoded form, the bare token', async () => {
      const { token, res: signedIn } = await guest();
      const header = signedIn.header('set-auth-token');
      assert.equal(header, signed(token));
      for (const value of [`Bearer ${header}`, `bearer ${header}`, `Bearer ${encodeURIComponent(header)}`, `Bearer ${token}`]) {
        const res = await getSession([['Authorization', value]]);
        assert.equal(res.status, 200, value);
        assert.equal(res.json()?.session.token, token, value);
      }
      for (const value of [`Bearer ${token}.${sign('other')}`, 'Bearer nope.nope', 'Basic abc']) {
        const res = await getSession([['Authorization', value]]);
        assert.equal(res.text, 'null', value);
      }
    });

    test('a bearer client lists its sessions and signs out', async () => {
      const { token, res: signedIn } = await guest();
      const bearer = ['Authorization', `Bearer ${signedIn.header('set-auth-token')}`];
      const listed = await req('GET', '/api/auth/list-sessions', { headers: [bearer] });
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.json().map((s) => s.token), [token]);
      const out = await post('/sign-out', undefined, [bearer]);
      assert.equal(out.status, 200);
      assert.deepEqual(out.json(), { success: true });
      assert.equal((await getSession([bearer])).text, 'null', 'the session is gone');
    });

    test('sign-in by email gives set-auth-token and exposes it', async () => {
      const res = await post('/sign-in/email', { email: account.email, password: account.password });
      assert.equal(res.status, 200, res.text);
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['redirect', 'token', 'user']);
      assert.equal(res.header('set-auth-token'), signed(body.token));
      assert.match(res.header('access-control-expose-headers') ?? '', /(^|,\s*)set-auth-token(\s*,|$)/);
      assert.deepEqual(res.all('set-cookie'), [sessionCookieLine(body.token)]);
    });

    test('a failed sign-in sets nothing', async () => {
      const res = await post('/sign-in/email', { email: account.email, password: 'wrong password' });
      assert.equal(res.status, 401);
      assert.deepEqual(res.json(), { message: 'Invalid email or password', code: 'INVALID_EMAIL_OR_PASSWORD' });
      assert.deepEqual(res.all('set-cookie'), []);
      assert.equal(res.header('set-auth-token'), null);
    });

    test('a form-encoded email sign-in', async () => {
      const res = await req('POST', '/api/auth/sign-in/email', {
        headers: [['Content-Type', 'application/x-www-form-urlencoded']],
        body: new URLSearchParams({ email: account.email, password: account.password }).toString(),
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json().user.email, account.email);
    });
  });

  describe('CORS', () => {
    const preflight = (from) => req('OPTIONS', '/api/auth/sign-in/anonymous', {
      headers: [['Origin', from], ['Access-Control-Request-Method', 'POST'],
        ['Access-Control-Request-Headers', 'content-type, authorization']],
    });
    const corsHeaders = (res) => res.headers.filter(([name]) => /^access-control-allow-/i.test(name));

    test('a preflight from a trusted origin', async () => {
      const res = await preflight(TRUSTED);
      if (anonauth) {
        // Better Auth leaves CORS to the framework (the reference server has none: OPTIONS is
        // 404); anonauth's handler answers it for its trusted origins.
        assert.equal(res.status, 204);
        assert.equal(res.header('access-control-allow-origin'), TRUSTED);
        assert.equal(res.header('access-control-allow-credentials'), 'true');
        assert.match(res.header('vary') ?? '', /\bOrigin\b/);
        assert.match(res.header('access-control-allow-methods') ?? '', /\bPOST\b/);
        assert.match((res.header('access-control-allow-headers') ?? '').toLowerCase(), /content-type/);
        assert.match((res.header('access-control-allow-headers') ?? '').toLowerCase(), /authorization/);
        assert.equal(res.text, '');
      } else {
        assert.equal(res.status, 404);
        assert.deepEqual(corsHeaders(res), []);
      }
    });

    test('a preflight from an untrusted origin: 404, no CORS headers', async () => {
      const res = await preflight(EVIL);
      assert.equal(res.status, 404);
      assert.deepEqual(corsHeaders(res), []);
    });

    test('a request from a trusted origin', async () => {
      const res = await post('/sign-in/anonymous', undefined, [['Origin', TRUSTED]]);
      assert.equal(res.status, 200, res.text);
      if (anonauth) {
        // As above: the CORS answer of anonauth's handler.
        assert.equal(res.header('access-control-allow-origin'), TRUSTED);
        assert.equal(res.header('access-control-allow-credentials'), 'true');
        assert.match(res.header('vary') ?? '', /\bOrigin\b/);
      } else {
        assert.equal(res.header('access-control-allow-origin'), null);
      }
      assert.match(res.header('access-control-expose-headers') ?? '', /set-auth-token/);
      const foreign = await post('/sign-in/anonymous', undefined, [['Origin', EVIL]]);
      assert.equal(foreign.status, 200, 'no cookie, so no origin check');
      assert.equal(foreign.header('access-control-allow-origin'), null);
    });
  });

  describe('routing', () => {
    const expectEmpty404 = (res, what) => {
      assert.equal(res.status, 404, what);
      assert.equal(res.text, '', `${what}: an empty body`);
    };

    test('unknown paths, wrong methods, HEAD and OPTIONS are 404 with an empty body', async () => {
      expectEmpty404(await req('GET', '/api/auth/no-such-endpoint'), 'an unknown path');
      expectEmpty404(await req('POST', '/api/auth/no-such-endpoint', { headers: [JSON_TYPE], body: '{}' }), 'POST unknown');
      expectEmpty404(await req('GET', '/api/auth'), 'the bare base path');
      expectEmpty404(await req('GET', '/api/auth/ok/'), 'a trailing slash');
      expectEmpty404(await req('GET', '/api/auth//ok'), 'a double slash');
      expectEmpty404(await req('GET', '/api/auth/sign-in/anonymous'), 'GET on a POST route');
      expectEmpty404(await req('GET', '/api/auth/update-user'), 'GET update-user');
      expectEmpty404(await req('POST', '/api/auth/list-sessions', { headers: [JSON_TYPE], body: '{}' }), 'POST on a GET route');
      expectEmpty404(await req('HEAD', '/api/auth/get-session'), 'HEAD get-session');
      expectEmpty404(await req('HEAD', '/api/auth/ok'), 'HEAD ok');
      expectEmpty404(await req('OPTIONS', '/api/auth/get-session'), 'OPTIONS without a preflight');
      expectEmpty404(await req('DELETE', '/api/auth/get-session'), 'DELETE');
    });

    test('ok, and POST /get-session is 405', async () => {
      const okRes = await req('GET', '/api/auth/ok');
      assert.equal(okRes.status, 200);
      assert.deepEqual(okRes.json(), { ok: true });
      const res = await req('POST', '/api/auth/get-session', { headers: [JSON_TYPE], body: '{}' });
      assert.equal(res.status, 405);
      assert.deepEqual(res.json(), {
        message: 'POST method requires deferSessionRefresh to be enabled in session config',
        code: 'METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED',
      });
    });

    test('a query string does not change the route', async () => {
      const res = await req('GET', '/api/auth/ok?x=1');
      assert.deepEqual(res.json(), { ok: true });
    });
  });

  describe('bodies and headers', () => {
    test('text/plain and a body without Content-Type are 415', async () => {
      const res = await req('POST', '/api/auth/sign-in/anonymous', { headers: [['Content-Type', 'text/plain']], body: '{}' });
      assert.equal(res.status, 415);
      assert.deepEqual(res.json(), {
        message: 'Content-Type "text/plain" is not allowed. Allowed types: application/json',
        code: 'UNSUPPORTED_MEDIA_TYPE',
      });
      const form = await req('POST', '/api/auth/sign-up/email', { headers: [['Content-Type', 'text/plain']], body: 'x' });
      assert.equal(form.status, 415);
      assert.deepEqual(form.json(), {
        message: 'Content-Type "text/plain" is not allowed. Allowed types: application/x-www-form-urlencoded, application/json',
        code: 'UNSUPPORTED_MEDIA_TYPE',
      });
      const none = await req('POST', '/api/auth/sign-in/anonymous', { body: '{}' });
      if (anonauth) {
        // Better Auth's fetch handler (auth.handler: Next.js, Hono, Bun...) refuses a body without
        // Content-Type so, and anonauth with it; its Node adapter (toNodeHandler, which the
        // reference server uses) reads no body without one and goes on as if none was sent.
        assert.equal(none.status, 415);
        assert.deepEqual(none.json(), {
          message: 'Content-Type is required. Allowed types: application/json',
          code: 'UNSUPPORTED_MEDIA_TYPE',
        });
      } else {
        assert.equal(none.status, 200, none.text);
      }
      const json = await req('POST', '/api/auth/sign-in/anonymous', {
        headers: [['Content-Type', 'application/json; charset=utf-8']], body: '{}',
      });
      assert.equal(json.status, 200, 'a charset is fine');
    });

    test('malformed JSON is 400 BAD_REQUEST', async () => {
      for (const body of ['{', '{"email": }', 'nul', '{"a":1}}']) {
        const res = await post('/sign-in/email', body);
        assert.equal(res.status, 400, body);
        assert.deepEqual(res.json(), { message: 'Invalid JSON in request body', code: 'BAD_REQUEST' }, body);
      }
    });

    test('update-user: a body that is no object', async () => {
      const { token } = await guest();
      const res = await post('/update-user', '[]', [cookieOf(token), ['Origin', origin]]);
      assert.equal(res.status, 400);
      assert.deepEqual(res.json(), { message: '[body] Invalid input: expected record, received array', code: 'VALIDATION_ERROR' });
    });

    test('update-user: no body at all, with a session or without', async () => {
      // Content-Length: 0. The body schema refuses it, before the session is looked at.
      const { token } = await guest();
      for (const [what, headers] of [['with a session', [cookieOf(token), ['Origin', origin]]], ['without', []]]) {
        const res = await req('POST', '/api/auth/update-user', { headers, body: '' });
        assert.equal(res.status, 400, `${what}: ${res.text}`);
        assert.deepEqual(res.json(), { message: '[body] Invalid input: expected record, received undefined', code: 'VALIDATION_ERROR' },
          what);
      }
    });

    test('a callbackURL that is no string: 400 without a code', async () => {
      const res = await post('/sign-in/email', { email: account.email, password: account.password, callbackURL: 5 });
      assert.equal(res.status, 400);
      assert.deepEqual(res.json(), { message: 'Invalid callbackURL: expected a string' });
      assert.deepEqual(res.all('set-cookie'), []);
    });

    test('social sign-in without a provider', async () => {
      const res = await post('/sign-in/social', { idToken: { token: 'x' } });
      assert.equal(res.status, 400);
      assert.deepEqual(res.json(), { message: '[body.provider] Invalid input', code: 'VALIDATION_ERROR' });
    });

    test('duplicate keys', async () => {
      const res = await post('/sign-in/email',
        `{"email": "nobody@example.com", "email": ${JSON.stringify(account.email)}, "password": ${JSON.stringify(account.password)}}`);
      if (anonauth) {
        // (c) anonauth refuses an ambiguous body; JSON.parse keeps the last value.
        assert.equal(res.status, 400);
        assert.equal(res.json().code, 'BAD_REQUEST');
        assert.match(res.json().message, /^Invalid JSON in request body/);
      } else {
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json().user.email, account.email, 'the last value counts');
      }
    });

    test('a body over 64 KiB', async () => {
      const body = JSON.stringify({ padding: 'x'.repeat(70 * 1024) });
      const res = await post('/sign-in/anonymous', body);
      if (anonauth) {
        // (g) anonauth limits bodies to 64 KiB; Better Auth sets no limit.
        assert.equal(res.status, 413);
        assert.equal(res.json().code, 'PAYLOAD_TOO_LARGE');
      } else {
        assert.equal(res.status, 200, res.text);
      }
    });

    test('headers over 16 KiB are 431', async () => {
      const res = await req('GET', '/api/auth/get-session', { headers: [['X-Padding', 'x'.repeat(20 * 1024)]] });
      // Node's own HTTP server refuses them too (its 16 KiB maxHeaderSize), before Better Auth
      // sees the request, with an empty body; (g) anonauth answers in Better Auth's error shape.
      assert.equal(res.status, 431);
      if (anonauth) assert.equal(res.json().code, 'REQUEST_HEADER_FIELDS_TOO_LARGE');
      else assert.equal(res.text, '');
    });
  });
});
