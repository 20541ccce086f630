// Better Auth's own JS client (better-auth/client + anonymousClient()) in Node, against whichever
// server this run uses, through every flow of the guest checkout: anonymous sign-in, the session,
// a guest cart and bio, linking by sign-up and by sign-in (carts merge, the bio is copied),
// remember-me, sign-out, deleting a guest, the session list and its revocations, social sign-in;
// then every refusal a client can provoke, as the client reports it (`error.code`,
// `error.message`, `error.status`).
//
//   ANONAUTH_E2E_SERVER=reference ANONAUTH_WEB_DIR=<built page> node --test client.test.mjs
//   ANONAUTH_SERVER_BIN=<example_server> node --test client.test.mjs
//
// Each "browser" is a client with its own cookie jar (support/server.mjs, makeCookieFetch), whose
// non-GET requests carry the server's Origin as a browser's do. Where anonauth deliberately
// answers otherwise than Better Auth the test branches on the server kind and says why.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createAuthClient } from 'better-auth/client';
import { anonymousClient } from 'better-auth/client/plugins';
import { rawFetch } from './support/http.mjs';
import { makeCookieFetch, serverKind, startServer } from './support/server.mjs';

const kind = serverKind();
const anonauth = kind === 'anonauth';
const TIMEOUT_MS = 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const GUEST_NAME = /^Guest-[0-9a-z]{8}$/;
const GUEST_EMAIL = /^temp-[a-z0-9]{32}@guest\.example\.com$/;
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const EVIL = 'http://evil.example';

const uniqueEmail = (who) => `${who}-${randomBytes(5).toString('hex')}@example.com`;

/** One "browser": Better Auth's client over its own cookie jar. */
function browser(server, { origin = true, fetch: baseFetch } = {}) {
  const cookieFetch = makeCookieFetch({ origin: origin ? server.origin : undefined, fetch: baseFetch });
  const client = createAuthClient({
    baseURL: server.origin,
    plugins: [anonymousClient()],
    fetchOptions: { customFetchImpl: cookieFetch },
  });
  const cart = async (init) => {
    const response = await cookieFetch(`${server.origin}/api/cart`, init);
    return { status: response.status, body: await response.json() };
  };
  const addToCart = async (sku, quantity) => {
    const { status, body } = await cart({
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sku, quantity }),
    });
    assert.equal(status, 200, `POST /api/cart ${sku}: ${JSON.stringify(body)}`);
    return body.items;
  };
  const cartPairs = async () => {
    const { status, body } = await cart();
    assert.equal(status, 200, `GET /api/cart: ${JSON.stringify(body)}`);
    return body.items.map(({ sku, quantity }) => [sku, quantity]);
  };
  /** The session cookie as the jar holds it, to replay later. */
  const sessionCookie = () => `better-auth.session_token=${cookieFetch.jar.get('better-auth.session_token')}`;
  return { client, cookieFetch, cart, addToCart, cartPairs, sessionCookie };
}

/** get-session with a given Cookie header, outside any jar. */
async function sessionFor(server, cookie) {
  const response = await fetch(`${server.origin}/api/auth/get-session`, { headers: { cookie } });
  assert.equal(response.status, 200);
  return response.json();
}

/** A successful client call: its data. */
function ok(result, what) {
  assert.equal(result.error, null, `${what}: ${JSON.stringify(result.error)}`);
  return result.data;
}

/** A refused client call: the error as the client reports it. */
function refused(result, { status, code, message }, what = '') {
  assert.equal(result.data, null, `${what}: expected a refusal, got ${JSON.stringify(result.data)}`);
  assert.ok(result.error, what);
  assert.deepEqual({ status: result.error.status, code: result.error.code, message: result.error.message },
    { status, code, message }, `${what}: ${JSON.stringify(result.error)}`);
}

const expectGuestUser = (user) => {
  assert.equal(user.isAnonymous, true);
  assert.match(user.name, GUEST_NAME);
  assert.match(user.email, GUEST_EMAIL);
  assert.equal(user.emailVerified, false);
  assert.match(user.createdAt instanceof Date ? user.createdAt.toISOString() : user.createdAt, ISO_DATE);
};

const ms = (date) => new Date(date).getTime();
/** expiresAt - createdAt, to the second (Better Auth reads the clock twice). */
const assertLifetime = (session, lifetime) => {
  const actual = ms(session.expiresAt) - ms(session.createdAt);
  assert.ok(Math.abs(actual - lifetime) < 1000, `the session lasts ${actual} ms, not ${lifetime}`);
};

describe(`Better Auth's client against the ${kind} server`, { timeout: TIMEOUT_MS }, () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server?.stop(); });

  const account = { name: 'Ada Lovelace', email: uniqueEmail('ada'), password: 'correct horse battery staple' };
  const bio = 'Espresso, no sugar.';
  let linkedCart;   // the rows the first guest brought to the account

  test('a guest signs in, fills a cart, sets a bio and signs up: the account keeps both', async () => {
    const a = browser(server);
    const signedIn = ok(await a.client.signIn.anonymous(), 'signIn.anonymous');
    expectGuestUser(signedIn.user);
    assert.equal(typeof signedIn.token, 'string');
    assert.equal(a.cookieFetch.jar.has('better-auth.session_token'), true);
    // (f) anonauth's user JSON has every column; Better Auth's memory adapter leaves unset ones out.
    if (anonauth) {
      assert.deepEqual(Object.keys(signedIn.user).sort(),
        ['bio', 'createdAt', 'email', 'emailVerified', 'id', 'image', 'isAnonymous', 'name', 'updatedAt']);
      assert.equal(signedIn.user.image, null);
      assert.equal(signedIn.user.bio, null);
    } else {
      assert.deepEqual(Object.keys(signedIn.user).sort(),
        ['createdAt', 'email', 'emailVerified', 'id', 'isAnonymous', 'name', 'updatedAt']);
    }

    const session = ok(await a.client.getSession(), 'getSession');
    assert.deepEqual(Object.keys(session).sort(), ['session', 'user']);
    assert.equal(session.user.id, signedIn.user.id);
    assert.equal(session.user.isAnonymous, true);
    assert.equal(session.session.userId, signedIn.user.id);
    assert.equal(session.session.token, signedIn.token);
    assert.deepEqual(Object.keys(session.session).sort(),
      ['createdAt', 'expiresAt', 'id', 'ipAddress', 'token', 'updatedAt', 'userAgent', 'userId']);
    assert.ok(session.session.expiresAt instanceof Date, 'the client parses dates');
    assertLifetime(session.session, 7 * DAY_MS);
    assert.equal(session.session.userAgent, 'node');
    // (e) anonauth records the socket's address; Better Auth only a proxy header's.
    assert.equal(session.session.ipAddress, anonauth ? '127.0.0.1' : '');

    // The guest's cart.
    assert.deepEqual(await a.cart(), { status: 200, body: { items: [] } });
    await a.addToCart('mug', 2);
    const guestItems = await a.addToCart('coffee-beans', 1);
    assert.deepEqual(guestItems.map(({ sku, quantity }) => [sku, quantity]), [['mug', 2], ['coffee-beans', 1]]);

    // The bio: stored as sent, copied trimmed by the link.
    assert.deepEqual(ok(await a.client.updateUser({ bio: `  ${bio}  ` }), 'updateUser'), { status: true });
    assert.equal(ok(await a.client.getSession(), 'getSession').user.bio, `  ${bio}  `);
    assert.deepEqual(ok(await a.client.updateUser({ name: 'Guest with a name' }), 'updateUser name'), { status: true });
    const guestCookie = a.sessionCookie();

    // Sign-up links: a new user, the guest's rows and bio move to it, the guest is deleted.
    const signedUp = ok(await a.client.signUp.email(account), 'signUp.email');
    assert.deepEqual(Object.keys(signedUp).sort(), ['token', 'user']);
    assert.notEqual(signedUp.user.id, signedIn.user.id);
    assert.equal(signedUp.user.email, account.email);
    assert.equal(signedUp.user.name, account.name);
    assert.equal(signedUp.user.isAnonymous, false);
    assert.equal(signedUp.user.emailVerified, false);
    // (d) anonauth links before it answers; Better Auth's onLinkAccount runs after the body is built.
    assert.equal(signedUp.user.bio ?? null, anonauth ? bio : null);
    assert.notEqual(a.sessionCookie(), guestCookie, 'a new session cookie');

    const member = ok(await a.client.getSession(), 'getSession after sign-up');
    assert.equal(member.user.id, signedUp.user.id);
    assert.equal(member.user.isAnonymous, false);
    assert.equal(member.user.bio, bio, 'the bio is copied, trimmed');
    assert.equal(member.session.token, signedUp.token);
    const { body } = await a.cart();
    assert.deepEqual(body.items, guestItems, 'the same cart rows, moved to the account');
    linkedCart = body.items;

    // The guest is gone, and its cookie with it.
    assert.equal(await sessionFor(server, guestCookie), null);
  });

  test('a second guest cannot take the email, then signs in: the carts merge, the bio stays', async () => {
    assert.ok(linkedCart, 'the sign-up test ran');
    const b = browser(server);
    const guest = ok(await b.client.signIn.anonymous(), 'signIn.anonymous').user;
    expectGuestUser(guest);
    const guestItems = await b.addToCart('sticker', 3);
    const guestCookie = b.sessionCookie();

    refused(await b.client.signUp.email({ name: 'Somebody Else', email: account.email, password: 'another password 123' }),
      { status: 422, code: 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL', message: 'User already exists. Use another email.' },
      'sign-up with a taken email');
    assert.equal(b.sessionCookie(), guestCookie, 'a failed sign-up leaves the guest signed in');
    assert.equal(ok(await b.client.getSession(), 'getSession').user.id, guest.id);
    refused(await b.client.signIn.email({ email: account.email, password: 'not the password' }),
      { status: 401, code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid email or password' }, 'wrong password');
    assert.equal(ok(await b.client.getSession(), 'getSession').user.id, guest.id, 'a failed sign-in too');
    assert.deepEqual((await b.cart()).body.items, guestItems);

    // Emails are compared without letter case.
    const signedIn = ok(await b.client.signIn.email({ email: account.email.toUpperCase(), password: account.password }),
      'signIn.email');
    assert.deepEqual(Object.keys(signedIn).sort(), ['redirect', 'token', 'user']);
    assert.equal(signedIn.redirect, false);
    assert.equal(signedIn.user.email, account.email);
    assert.equal(signedIn.user.isAnonymous, false);
    // The account had its bio before this link: both servers' answers show it.
    assert.equal(signedIn.user.bio, bio, 'the account already had a bio');

    const member = ok(await b.client.getSession(), 'getSession');
    assert.equal(member.user.email, account.email);
    assert.equal(member.user.bio, bio, 'the second guest had no bio: the account keeps its own');
    const { body } = await b.cart();
    assert.deepEqual(body.items, [...linkedCart, ...guestItems], 'the account keeps its rows and gains the guest\'s');
    assert.equal(await sessionFor(server, guestCookie), null, 'the second guest is gone');
  });

  test('a member signing in anonymously becomes a new guest', async () => {
    const c = browser(server);
    const member = ok(await c.client.signIn.email({ email: account.email, password: account.password }), 'signIn.email');
    const guest = ok(await c.client.signIn.anonymous(), 'signIn.anonymous as a member').user;
    expectGuestUser(guest);
    assert.notEqual(guest.id, member.user.id);
    assert.equal(ok(await c.client.getSession(), 'getSession').user.id, guest.id);
  });

  test('rememberMe: false gives a one-day session and a dont_remember cookie', async () => {
    const c = browser(server);
    const signedIn = ok(await c.client.signIn.email({ ...account, rememberMe: false }), 'signIn.email');
    assert.ok(c.cookieFetch.jar.has('better-auth.dont_remember'), 'the dont_remember cookie is set');
    const session = ok(await c.client.getSession(), 'getSession');
    assert.equal(session.session.token, signedIn.token);
    assertLifetime(session.session, DAY_MS);
    // Signing in again, remembered, clears the mark.
    ok(await c.client.signIn.email({ ...account, rememberMe: true }), 'signIn.email remembered');
    const remembered = ok(await c.client.getSession(), 'getSession');
    assertLifetime(remembered.session, 7 * DAY_MS);
  });

  test('sign-out ends the session and clears the cookies; it answers success without one too', async () => {
    const c = browser(server);
    ok(await c.client.signIn.email({ ...account, rememberMe: false }), 'signIn.email');
    const cookie = c.sessionCookie();
    assert.deepEqual(ok(await c.client.signOut(), 'signOut'), { success: true });
    assert.deepEqual([...c.cookieFetch.jar.keys()], [], 'every cookie is expired');
    assert.equal(ok(await c.client.getSession(), 'getSession'), null);
    assert.equal(await sessionFor(server, cookie), null, 'the old cookie is dead');
    assert.deepEqual(ok(await c.client.signOut(), 'signOut without a session'), { success: true });
  });

  test('deleteAnonymousUser deletes the guest, its cart and session; a member is refused', async () => {
    const c = browser(server);
    ok(await c.client.signIn.anonymous(), 'signIn.anonymous');
    await c.addToCart('mug', 1);
    const cookie = c.sessionCookie();
    assert.deepEqual(ok(await c.client.deleteAnonymousUser(), 'deleteAnonymousUser'), { success: true });
    assert.deepEqual([...c.cookieFetch.jar.keys()], []);
    assert.equal(ok(await c.client.getSession(), 'getSession'), null);
    assert.equal(await sessionFor(server, cookie), null);
    assert.equal((await c.cart()).status, 401);
    refused(await c.client.deleteAnonymousUser(), { status: 401, code: 'UNAUTHORIZED', message: 'Unauthorized' },
      'without a session');

    ok(await c.client.signIn.email(account), 'signIn.email');
    refused(await c.client.deleteAnonymousUser(),
      { status: 403, code: 'USER_IS_NOT_ANONYMOUS', message: 'User is not anonymous' }, 'as a member');
    assert.ok(ok(await c.client.getSession(), 'getSession'), 'the member is still signed in');
  });

  test('listSessions, revokeSession, revokeOtherSessions, revokeSessions', async () => {
    const email = uniqueEmail('sessions');
    const devices = [browser(server), browser(server), browser(server), browser(server)];
    const [one, two, three, four] = devices;
    ok(await one.client.signUp.email({ name: 'Many Devices', email, password: 'password-1234' }), 'signUp.email');
    for (const d of [two, three]) ok(await d.client.signIn.email({ email, password: 'password-1234' }), 'signIn.email');
    const own = [];
    for (const d of [one, two, three]) own.push(ok(await d.client.getSession(), 'getSession').session);

    const listed = ok(await one.client.listSessions(), 'listSessions');
    assert.equal(listed.length, 3);
    assert.deepEqual(listed.map((s) => s.id).sort(), own.map((s) => s.id).sort());
    for (const entry of listed) {
      assert.deepEqual(Object.keys(entry).sort(),
        ['createdAt', 'expiresAt', 'id', 'ipAddress', 'token', 'updatedAt', 'userAgent', 'userId']);
      const mine = own.find((s) => s.id === entry.id);
      assert.equal(entry.userId, mine.userId);
      if (entry.id === own[0].id || !anonauth) {
        assert.equal(entry.token, mine.token, 'the session\'s token');
      } else {
        // (a) anonauth stores only token hashes: another session is named by its id, which
        // revoke-session takes in place of the token.
        assert.equal(entry.token, entry.id);
      }
    }

    // revokeSession with what the list gives for the second device.
    const second = listed.find((s) => s.id === own[1].id);
    assert.deepEqual(ok(await one.client.revokeSession({ token: second.token }), 'revokeSession'), { status: true });
    assert.equal(ok(await two.client.getSession(), 'getSession'), null, 'the second device is signed out');
    assert.ok(ok(await one.client.getSession(), 'getSession'), 'the first device is not');
    assert.equal(ok(await one.client.listSessions(), 'listSessions').length, 2);
    // Revoking an unknown token is no error.
    assert.deepEqual(ok(await one.client.revokeSession({ token: 'no-such-token' }), 'revokeSession'), { status: true });

    assert.deepEqual(ok(await one.client.revokeOtherSessions(), 'revokeOtherSessions'), { status: true });
    assert.equal(ok(await three.client.getSession(), 'getSession'), null, 'the third device is signed out');
    assert.ok(ok(await one.client.getSession(), 'getSession'), 'the first device stays signed in');
    assert.deepEqual(ok(await one.client.listSessions(), 'listSessions').map((s) => s.id), [own[0].id]);

    ok(await four.client.signIn.email({ email, password: 'password-1234' }), 'signIn.email');
    assert.deepEqual(ok(await one.client.revokeSessions(), 'revokeSessions'), { status: true });
    assert.equal(ok(await one.client.getSession(), 'getSession'), null, 'every session is gone, this one too');
    assert.equal(ok(await four.client.getSession(), 'getSession'), null);

    for (const [name, call] of [['listSessions', () => one.client.listSessions()],
      ['revokeSession', () => one.client.revokeSession({ token: own[0].token })],
      ['revokeOtherSessions', () => one.client.revokeOtherSessions()],
      ['revokeSessions', () => one.client.revokeSessions()]]) {
      refused(await call(), { status: 401, code: 'UNAUTHORIZED', message: 'Unauthorized' }, `${name} without a session`);
    }
  });

  test('signIn.social: no provider is configured', async () => {
    const c = browser(server);
    refused(await c.client.signIn.social({ provider: 'google', idToken: { token: 'header.payload.signature' } }),
      { status: 404, code: 'PROVIDER_NOT_FOUND', message: 'Provider not found' }, 'with an id token');
    refused(await c.client.signIn.social({ provider: 'google', disableRedirect: true }),
      { status: 404, code: 'PROVIDER_NOT_FOUND', message: 'Provider not found' }, 'the redirect flow');
    // A guest's attempt leaves the guest alone.
    const guest = ok(await c.client.signIn.anonymous(), 'signIn.anonymous').user;
    refused(await c.client.signIn.social({ provider: 'apple', idToken: { token: 'x' } }),
      { status: 404, code: 'PROVIDER_NOT_FOUND', message: 'Provider not found' }, 'as a guest');
    assert.equal(ok(await c.client.getSession(), 'getSession').user.id, guest.id);
  });

  describe('refusals, as the client reports them', () => {
    test('a guest signing in anonymously again', async () => {
      const c = browser(server);
      const guest = ok(await c.client.signIn.anonymous(), 'signIn.anonymous').user;
      const cookie = c.sessionCookie();
      refused(await c.client.signIn.anonymous(), {
        status: 400, code: 'ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY',
        message: 'Anonymous users cannot sign in again anonymously',
      });
      assert.equal(c.sessionCookie(), cookie, 'no new cookie');
      assert.equal(ok(await c.client.getSession(), 'getSession').user.id, guest.id);
    });

    test('sign-up: the email and the password', async () => {
      const c = browser(server);
      const email = uniqueEmail('signup');
      refused(await c.client.signUp.email({ name: 'Short', email, password: 'short12' }),
        { status: 400, code: 'PASSWORD_TOO_SHORT', message: 'Password too short' }, '7 characters');
      refused(await c.client.signUp.email({ name: 'Long', email, password: 'x'.repeat(129) }),
        { status: 400, code: 'PASSWORD_TOO_LONG', message: 'Password too long' }, '129 characters');
      refused(await c.client.signUp.email({ name: 'Bad', email: 'not-an-email', password: 'password-1234' }),
        { status: 400, code: 'VALIDATION_ERROR', message: '[body.email] Invalid email address' }, 'a malformed email');
      refused(await c.client.signUp.email({ email, password: 'password-1234' }), {
        status: 400, code: 'VALIDATION_ERROR',
        message: '[body.name] Invalid input: expected string, received undefined',
      }, 'no name');
      refused(await c.client.signUp.email({ name: 5, email, password: 'password-1234' }), {
        status: 400, code: 'VALIDATION_ERROR', message: '[body.name] Invalid input: expected string, received number',
      }, 'a number for a name');
      // Nothing was created: the email is still free, and 8 and 128 characters are fine.
      ok(await c.client.signUp.email({ name: 'Eight', email, password: '12345678' }), 'an 8-character password');
      ok(await browser(server).client.signUp.email({ name: 'Max', email: uniqueEmail('max'), password: 'y'.repeat(128) }),
        'a 128-character password');
    });

    test('sign-up: isAnonymous and emailVerified in the body are ignored', async () => {
      const c = browser(server);
      const user = ok(await c.client.signUp.email({
        name: 'Sneaky', email: uniqueEmail('sneaky'), password: 'password-1234', isAnonymous: true, emailVerified: true,
      }), 'signUp.email').user;
      assert.equal(user.isAnonymous, false);
      assert.equal(user.emailVerified, false);
      const session = ok(await c.client.getSession(), 'getSession');
      assert.equal(session.user.isAnonymous, false);
      assert.equal(session.user.emailVerified, false);
    });

    test('sign-up: an app field of the wrong type', async () => {
      const c = browser(server);
      const result = await c.client.signUp.email({ name: 'Typed', email: uniqueEmail('typed'), password: 'password-1234', bio: 5 });
      if (anonauth) {
        // (b) anonauth checks the app's fields against the schema; Better Auth takes them as sent.
        refused(result, { status: 400, code: 'VALIDATION_ERROR', message: '[body.bio] Invalid input: expected string, received number' });
      } else {
        assert.equal(ok(result, 'signUp.email').user.bio, 5);
      }
    });

    test('sign-in: the email and the password', async () => {
      const c = browser(server);
      refused(await c.client.signIn.email({ email: 'not-an-email', password: 'password-1234' }),
        { status: 400, code: 'INVALID_EMAIL', message: 'Invalid email' }, 'a malformed email');
      refused(await c.client.signIn.email({ email: uniqueEmail('nobody'), password: 'password-1234' }),
        { status: 401, code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid email or password' }, 'an unknown email');
      refused(await c.client.signIn.email({ email: account.email, password: 'wrong password' }),
        { status: 401, code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid email or password' }, 'a wrong password');
      refused(await c.client.signIn.email({ email: account.email }), {
        status: 400, code: 'VALIDATION_ERROR', message: '[body.password] Invalid input: expected string, received undefined',
      }, 'no password');
      assert.equal(c.cookieFetch.jar.size, 0, 'no cookie was set');
    });

    test('sign-in: a password over 128 characters is refused before it is checked', async () => {
      const c = browser(server);
      refused(await c.client.signIn.email({ email: account.email, password: 'p'.repeat(129) }),
        { status: 400, code: 'PASSWORD_TOO_LONG', message: 'Password too long' });
      refused(await c.client.signIn.email({ email: uniqueEmail('nobody'), password: 'p'.repeat(200) }),
        { status: 400, code: 'PASSWORD_TOO_LONG', message: 'Password too long' }, 'an unknown email too');
    });

    test('names: Better Auth takes any string, the empty one and a long one included', async () => {
      const c = browser(server);
      if (kind === 'anonauth') {
        // Deliberate: every string anonauth stores is bounded, a name to 1..256 bytes.
        const invalid = { status: 400, code: 'INVALID_NAME', message: 'Name must be 1 to 256 characters' };
        refused(await c.client.signUp.email({ name: '', email: uniqueEmail('noname'), password: 'password-1234' }),
          invalid, 'sign-up with an empty name');
        refused(await c.client.signUp.email({ name: 'n'.repeat(300), email: uniqueEmail('longname'), password: 'password-1234' }),
          invalid, 'sign-up with a 300-character name');
        ok(await c.client.signIn.anonymous(), 'signIn.anonymous');
        refused(await c.client.updateUser({ name: '' }), invalid, 'update-user with an empty name');
        assert.match(ok(await c.client.getSession(), 'getSession').user.name, /^Guest-/);
        return;
      }
      const empty = await c.client.signUp.email({ name: '', email: uniqueEmail('noname'), password: 'password-1234' });
      assert.equal(ok(empty, 'sign-up with an empty name').user.name, '');
      const long = 'n'.repeat(300);
      const signedUp = await browser(server).client.signUp.email({ name: long, email: uniqueEmail('longname'), password: 'password-1234' });
      assert.equal(ok(signedUp, 'sign-up with a 300-character name').user.name, long);
      ok(await c.client.signIn.anonymous(), 'signIn.anonymous');
      assert.deepEqual(ok(await c.client.updateUser({ name: '' }), 'update-user with an empty name'), { status: true });
      assert.equal(ok(await c.client.getSession(), 'getSession').user.name, '');
      assert.deepEqual(ok(await c.client.updateUser({ name: long }), 'update-user with a long name'), { status: true });
    });

    test('update-user: no session, the email, isAnonymous, nothing to update', async () => {
      const c = browser(server);
      refused(await c.client.updateUser({ bio: 'x' }), { status: 401, code: 'UNAUTHORIZED', message: 'Unauthorized' },
        'without a session');
      ok(await c.client.signIn.anonymous(), 'signIn.anonymous');
      refused(await c.client.updateUser({ email: 'new@example.com' }),
        { status: 400, code: 'EMAIL_CAN_NOT_BE_UPDATED', message: 'Email can not be updated' }, 'the email');
      refused(await c.client.updateUser({ isAnonymous: true, bio: 'x' }),
        { status: 400, code: 'FIELD_NOT_ALLOWED', message: 'isAnonymous is not allowed to be set' }, 'isAnonymous');
      // An empty body makes the client send a GET, which no route takes.
      refused(await c.client.updateUser({}), { status: 404, code: undefined, message: undefined }, 'nothing');
      // Better Auth's "No fields to update" has no code.
      refused(await c.client.updateUser({ unknownField: 'x' }), { status: 400, code: undefined, message: 'No fields to update' },
        'an unknown field only');
      assert.equal(ok(await c.client.getSession(), 'getSession').user.isAnonymous, true, 'still a guest');
    });

    test('update-user: emailVerified is dropped, like an unknown key', async () => {
      // emailVerified is a core field that Better Auth's update-user does not take from a client:
      // not refused, not written.
      const c = browser(server);
      ok(await c.client.signIn.anonymous(), 'signIn.anonymous');
      refused(await c.client.updateUser({ emailVerified: true }),
        { status: 400, code: undefined, message: 'No fields to update' }, 'emailVerified alone');
      assert.deepEqual(ok(await c.client.updateUser({ emailVerified: true, bio: 'verified?' }), 'emailVerified and bio'),
        { status: true });
      const user = ok(await c.client.getSession(), 'getSession').user;
      assert.equal(user.bio, 'verified?');
      assert.equal(user.emailVerified, false, 'emailVerified is not written');
    });

    test('update-user: a field of the wrong type', async () => {
      const c = browser(server);
      ok(await c.client.signIn.anonymous(), 'signIn.anonymous');
      const bio = await c.client.updateUser({ bio: 5 });
      const name = await c.client.updateUser({ name: 5 });
      if (anonauth) {
        // (b) anonauth checks the types; Better Auth writes what it is sent.
        refused(bio, { status: 400, code: 'VALIDATION_ERROR', message: '[body.bio] Invalid input: expected string, received number' });
        refused(name, { status: 400, code: 'VALIDATION_ERROR', message: '[body.name] Invalid input: expected string, received number' });
      } else {
        assert.deepEqual(ok(bio, 'updateUser bio'), { status: true });
        assert.deepEqual(ok(name, 'updateUser name'), { status: true });
      }
    });

    test('origins: a cookie-bearing POST without Origin, with a foreign one; a foreign callbackURL', async () => {
      const bare = browser(server, { origin: false });   // like curl: cookies but no Origin
      ok(await bare.client.signIn.anonymous(), 'signIn.anonymous without Origin or cookie');
      refused(await bare.client.updateUser({ bio: 'x' }),
        { status: 403, code: 'MISSING_OR_NULL_ORIGIN', message: 'Missing or null Origin' }, 'update-user without Origin');
      refused(await bare.client.signOut(),
        { status: 403, code: 'MISSING_OR_NULL_ORIGIN', message: 'Missing or null Origin' }, 'sign-out without Origin');
      assert.ok(ok(await bare.client.getSession(), 'getSession'), 'GET needs no Origin');

      const c = browser(server);
      ok(await c.client.signIn.anonymous(), 'signIn.anonymous');
      const foreign = { fetchOptions: { headers: { origin: EVIL } } };
      refused(await c.client.updateUser({ bio: 'x', ...foreign }),
        { status: 403, code: 'INVALID_ORIGIN', message: 'Invalid origin' }, 'update-user from a foreign origin');
      refused(await c.client.signIn.anonymous(foreign),
        { status: 403, code: 'INVALID_ORIGIN', message: 'Invalid origin' }, 'sign-in/anonymous from a foreign origin');
      assert.ok(ok(await c.client.getSession(), 'getSession'), 'still signed in');

      refused(await browser(server).client.signIn.email({ ...account, callbackURL: `${EVIL}/welcome` }),
        { status: 403, code: 'INVALID_CALLBACK_URL', message: 'Invalid callbackURL' }, 'a foreign callbackURL');
      const relative = ok(await browser(server).client.signIn.email({ ...account, callbackURL: '/welcome' }),
        'a relative callbackURL');
      assert.equal(relative.redirect, true);
      assert.equal(relative.url, '/welcome');
    });

    test('a cross-site navigation to the email sign-in', async () => {
      // Node's fetch sends its own Sec-Fetch-Mode (cors): these requests go out as written.
      const c = browser(server, { origin: false, fetch: rawFetch });
      refused(await c.client.signIn.email({
        ...account, fetchOptions: { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' } },
      }), {
        status: 403, code: 'CROSS_SITE_NAVIGATION_LOGIN_BLOCKED',
        message: 'Cross-site navigation login blocked. This request appears to be a CSRF attack.',
      });
      assert.equal(c.cookieFetch.jar.size, 0);
      // Without fetch metadata, Origin or cookie (curl, a native app) the sign-in goes ahead.
      assert.equal(ok(await c.client.signIn.email(account), 'signIn.email as curl').user.email, account.email);
    });

    test('the router and the body parser: POST /get-session, text/plain, malformed JSON', async () => {
      const c = browser(server);
      refused(await c.client.$fetch('/get-session', { method: 'POST', body: {} }), {
        status: 405, code: 'METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED',
        message: 'POST method requires deferSessionRefresh to be enabled in session config',
      });
      refused(await c.client.$fetch('/sign-in/anonymous', {
        method: 'POST', body: 'hello', headers: { 'content-type': 'text/plain' },
      }), {
        status: 415, code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Content-Type "text/plain" is not allowed. Allowed types: application/json',
      });
      refused(await c.client.$fetch('/sign-in/email', {
        method: 'POST', body: '{"email": "a@example.com", ', headers: { 'content-type': 'application/json' },
      }), { status: 400, code: 'BAD_REQUEST', message: 'Invalid JSON in request body' });
      const notFound = await c.client.$fetch('/no-such-endpoint', { method: 'POST', body: {} });
      assert.equal(notFound.data, null);
      assert.equal(notFound.error.status, 404);
      assert.equal(notFound.error.code, undefined);
    });
  });
});

describe(`rate limit on the ${kind} server (--rate-limit)`, { timeout: TIMEOUT_MS }, () => {
  let server;
  before(async () => { server = await startServer({ args: ['--rate-limit'] }); });
  after(async () => { await server?.stop(); });

  test('the fourth anonymous sign-in within 10 s is refused with 429', async () => {
    for (let i = 0; i < 3; ++i) ok(await browser(server).client.signIn.anonymous(), `sign-in ${i + 1}`);
    const c = browser(server);
    const result = await c.client.signIn.anonymous();
    assert.equal(result.data, null);
    assert.equal(result.error.status, 429);
    assert.equal(result.error.message, 'Too many requests. Please try again later.');
    assert.equal(result.error.code, undefined, 'Better Auth\'s rate limiter sends no code');
    assert.equal(c.cookieFetch.jar.size, 0);
  });

  test('the email sign-in has the same rule: 3 per 10 s', async () => {
    const email = uniqueEmail('limited');
    // Sign-up is a path of its own, with its own 3.
    ok(await browser(server).client.signUp.email({ name: 'Limited', email, password: 'password-1234' }), 'signUp.email');
    for (let i = 0; i < 3; ++i) {
      ok(await browser(server).client.signIn.email({ email, password: 'password-1234' }), `sign-in ${i + 1}`);
    }
    const result = await browser(server).client.signIn.email({ email, password: 'password-1234' });
    assert.equal(result.data, null, 'the fourth sign-in is refused');
    assert.equal(result.error.status, 429);
    assert.equal(result.error.message, 'Too many requests. Please try again later.');
  });
});
