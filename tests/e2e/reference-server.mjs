#!/usr/bin/env node
// The reference server: Better Auth 1.7 itself, configured like the example server
// (examples/server), with the same command line, routes and behaviour. The end-to-end tests are
// written against it first, so a test that passes here tells what Better Auth really does; the
// same test then runs against the C++ server.
//
//   node reference-server.mjs --web DIR [--port N] [--db PATH] [--guest-domain D]
//                             [--trusted-origin O]... [--secret S] [--rate-limit]
//
// Everything is kept in memory (--db is accepted and ignored). It listens on 127.0.0.1; the first
// line on stdout is its origin (http://127.0.0.1:PORT), logs go to stderr. SIGTERM stops it.
//
// Routes:
//   /api/auth/*     Better Auth (email + password, anonymous(), bearer()).
//   GET  /api/cart  {"items":[{"id","sku","quantity"}...]} in insertion order; 401 without a session.
//   POST /api/cart  {"sku","quantity"} adds one row and answers the whole cart. Checks, in order:
//                   the origin (cookie-bearing requests, Better Auth's rule) -> 403, the session
//                   -> 401, the body -> 400 VALIDATION_ERROR.
//   GET  /          the page; GET /<file> the other files of --web DIR; anything else 404.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';

// Better Auth reads NODE_ENV once, when it is imported: "test" switches its origin check off,
// "development" records 127.0.0.1 as every client's address, "production" defaults to secure
// cookies. None of them: the origin check on, plain-http cookies, the address only from
// X-Forwarded-For.
process.env.NODE_ENV = 'reference';
delete process.env.TEST;
const { betterAuth } = await import('better-auth');
const { memoryAdapter } = await import('better-auth/adapters/memory');
const { anonymous, bearer } = await import('better-auth/plugins');
const { toNodeHandler, fromNodeHeaders } = await import('better-auth/node');

// Only the origin goes to stdout; whatever else is printed (ours or a library's) goes to stderr.
const printOrigin = (origin) => process.stdout.write(`${origin}\n`);
console.log = console.info = console.debug = (...args) => console.error(...args);

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------
let options;
try {
  ({ values: options } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      db: { type: 'string' },
      'guest-domain': { type: 'string', default: 'guest.example.com' },
      'trusted-origin': { type: 'string', multiple: true, default: [] },
      secret: { type: 'string' },
      'rate-limit': { type: 'boolean', default: false },
      web: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (e) {
  console.error(`reference-server: ${e.message}`);
  process.exit(2);
}
const port = Number(options.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`reference-server: --port must be 0..65535, not "${options.port}"`);
  process.exit(2);
}
if (!options.web) {
  console.error('reference-server: --web DIR (the built page) is required');
  process.exit(2);
}
let secret = options.secret ?? process.env.ANONAUTH_SECRET;
if (!secret) {
  secret = randomBytes(32).toString('base64url');
  console.error('reference-server: warning: no --secret or ANONAUTH_SECRET; using a random secret, '
    + 'so sessions do not survive a restart');
}

// ---------------------------------------------------------------------------
// The page: every file of --web DIR, read once.
// ---------------------------------------------------------------------------
const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};
const assets = new Map();
try {
  for (const entry of await readdir(options.web, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const body = await readFile(path.join(options.web, entry.name));
    const type = contentTypes[path.extname(entry.name)] ?? 'application/octet-stream';
    assets.set(entry.name === 'index.html' ? '/' : `/${entry.name}`, { type, body });
  }
} catch (e) {
  console.error(`reference-server: cannot read --web ${options.web}: ${e.message}`);
  process.exit(2);
}
if (!assets.has('/')) {
  console.error(`reference-server: ${options.web} has no index.html (build it with examples/server/web/build.mjs)`);
  process.exit(2);
}

// ---------------------------------------------------------------------------
// The app's data: cart rows, in insertion order.
// ---------------------------------------------------------------------------
/** @type {{id: string, userId: string, sku: string, quantity: number}[]} */
let cartItems = [];
const cartOf = (userId) => ({
  items: cartItems.filter((row) => row.userId === userId)
    .map(({ id, sku, quantity }) => ({ id, sku, quantity })),
});

const GUEST_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const guestName = () =>
  `Guest-${Array.from({ length: 8 }, () => GUEST_ALPHABET[randomInt(GUEST_ALPHABET.length)]).join('')}`;

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------
function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function sendNotFound(res) {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 9 });
  res.end('Not Found');
}

const MAX_BODY = 64 * 1024;
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(Object.assign(new Error('Request body too large'), { tooLarge: true }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function validateCartBody(text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: 'Invalid JSON in request body' };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { error: 'Expected a JSON object {"sku", "quantity"}' };
  }
  const { sku, quantity } = body;
  if (typeof sku !== 'string' || sku.length === 0 || sku.length > 64) {
    return { error: '[body.sku] must be a non-empty string of at most 64 characters' };
  }
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 99) {
    return { error: '[body.quantity] must be an integer from 1 to 99' };
  }
  return { sku, quantity };
}

let auth;          // created once the port is known: baseURL is the server's own origin
let authHandler;
let serverOrigin;

// Better Auth's origin rule (api/middlewares/origin-check.ts), for the app's own POSTs: a request
// with any Cookie header needs an Origin (else a Referer) that is trusted. Returns the refusal.
async function checkOrigin(headers) {
  if (!headers.has('cookie')) return null;
  const origin = headers.get('origin');
  let value = origin || headers.get('referer') || '';
  if (origin === 'null' && headers.get('sec-fetch-site') === 'same-origin') value = serverOrigin;
  if (!value || value === 'null') {
    return { message: 'Missing or null Origin', code: 'MISSING_OR_NULL_ORIGIN' };
  }
  const context = await auth.$context;   // the server's origin + --trusted-origin
  if (!context.isTrustedOrigin(value, { allowRelativePaths: false })) {
    return { message: 'Invalid origin', code: 'INVALID_ORIGIN' };
  }
  return null;
}

async function handleCart(req, res) {
  const headers = fromNodeHeaders(req.headers);
  if (req.method === 'POST') {
    const refused = await checkOrigin(headers);
    if (refused) return sendJson(res, 403, refused);
  }
  const session = await auth.api.getSession({ headers });
  if (!session) return sendJson(res, 401, { message: 'Unauthorized', code: 'UNAUTHORIZED' });
  if (req.method === 'GET') return sendJson(res, 200, cartOf(session.user.id));

  let text;
  try {
    text = await readBody(req);
  } catch (e) {
    return sendJson(res, e.tooLarge ? 413 : 400, { message: e.message, code: 'VALIDATION_ERROR' },
      { Connection: 'close' });
  }
  const parsed = validateCartBody(text);
  if (parsed.error) return sendJson(res, 400, { message: parsed.error, code: 'VALIDATION_ERROR' });
  cartItems.push({ id: randomUUID(), userId: session.user.id, sku: parsed.sku, quantity: parsed.quantity });
  return sendJson(res, 200, cartOf(session.user.id));
}

async function handle(req, res) {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  if (pathname === '/api/auth' || pathname.startsWith('/api/auth/')) return authHandler(req, res);
  if (pathname === '/api/cart' && (req.method === 'GET' || req.method === 'POST')) {
    return handleCart(req, res);
  }
  const asset = assets.get(pathname);
  if (asset && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, {
      'Content-Type': asset.type,
      'Content-Length': asset.body.length,
      'Cache-Control': 'no-cache',
    });
    return res.end(req.method === 'HEAD' ? undefined : asset.body);
  }
  return sendNotFound(res);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    console.error('reference-server: request failed:', e);
    if (!res.headersSent) res.writeHead(500, { 'Content-Length': 0 });
    res.end();
  });
});
// Idle keep-alive connections must not hold up a SIGTERM.
server.keepAliveTimeout = 2000;

server.listen(port, '127.0.0.1', () => {
  serverOrigin = `http://127.0.0.1:${server.address().port}`;
  auth = betterAuth({
    baseURL: serverOrigin,
    secret,
    database: memoryAdapter({ user: [], session: [], account: [], verification: [], rateLimit: [] }),
    trustedOrigins: options['trusted-origin'],
    emailAndPassword: { enabled: true },
    user: { additionalFields: { bio: { type: 'string', required: false } } },
    rateLimit: { enabled: options['rate-limit'] },
    advanced: { disableOriginCheck: false },
    logger: { level: 'warn', log: (level, message, ...args) => console.error(`[better-auth] ${level}: ${message}`, ...args) },
    databaseHooks: {
      user: {
        delete: {
          // A guest deleted without linking (delete-anonymous-user) takes its cart with it.
          after: async (user) => { cartItems = cartItems.filter((row) => row.userId !== user.id); },
        },
      },
    },
    plugins: [
      anonymous({
        emailDomainName: options['guest-domain'],
        generateName: async () => guestName(),
        onLinkAccount: async ({ anonymousUser, newUser, ctx }) => {
          for (const row of cartItems) {
            if (row.userId === anonymousUser.user.id) row.userId = newUser.user.id;
          }
          const sourceBio = typeof anonymousUser.user.bio === 'string' ? anonymousUser.user.bio.trim() : '';
          const destinationBio = typeof newUser.user.bio === 'string' ? newUser.user.bio.trim() : '';
          if (!sourceBio || destinationBio) return;
          await ctx.context.internalAdapter.updateUser(newUser.user.id, { bio: sourceBio });
        },
      }),
      bearer(),
    ],
  });
  authHandler = toNodeHandler(auth);
  printOrigin(serverOrigin);
  console.error(`reference-server: Better Auth on ${serverOrigin} (guest domain ${options['guest-domain']}, `
    + `rate limit ${options['rate-limit'] ? 'on' : 'off'}, page from ${options.web})`);
});

server.on('error', (e) => {
  console.error(`reference-server: ${e.message}`);
  process.exit(1);
});

function stop(signal) {
  console.error(`reference-server: ${signal}, stopping`);
  server.close(() => process.exit(0));
  server.closeIdleConnections?.();
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
