#!/usr/bin/env node
// Better Auth's own server for scripts/bench-http.sh: Better Auth 1.7.25 with its anonymous plugin
// on better-sqlite3, served by node:http through toNodeHandler, configured as the peer benchmark
// (bench.mjs of Better Auth's in-process benchmark) and as benchmarks/http/server.cpp serves the
// shop, so that both answer the same requests with the same work:
//
//   node server.mjs [--port N (0: any free port)] [--db PATH|:memory:] [--journal wal|rollback]
//                   [--synchronous normal|full] [--hash precomputed|scrypt]
//
//   --db          the SQLite database (default :memory:); a file is used as it is found, so pass
//                 a fresh path
//   --journal     journal_mode for a file: WAL or DELETE (default wal); in memory SQLite keeps
//                 its memory journal, as anonauth's storage does
//   --synchronous synchronous for a file (default normal)
//   --hash        precomputed (the default): (await auth.$context).password.hash returns one real
//                 hash of the benchmark's password computed at start-up (what bench.mjs does for
//                 its link without hashing); scrypt: Better Auth's own hash
//
// Configuration: the anonymous plugin (emailDomainName guest.example.com, Guest-xxxxxxxx names,
// the bio copied on link), email and password, the bearer plugin (anonauth's handler has bearer
// on by default), a bio field on the user, rate limit and telemetry off; baseURL is the server's
// own origin, and http://localhost:PORT is trusted too (as the C++ server does). NODE_ENV is left
// unset: the origin check is on, IP and cookie settings are Better Auth's development defaults
// (plain http cookies, like the C++ server on an http origin). Tables are created with
// getMigrations(...).runMigrations().
//
// The first line on stdout is the origin (http://127.0.0.1:PORT); logs go to stderr; SIGINT or
// SIGTERM stop it.
import http from 'node:http';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { anonymous, bearer } from 'better-auth/plugins';
import { getMigrations } from 'better-auth/db/migration';
import { hashPassword } from 'better-auth/crypto';
import { toNodeHandler } from 'better-auth/node';

const SECRET = '9f2c7e41b06a4d83a5e1f7c29b3d8e60c4a1f5e27d9b83a6f0e2c4d7b1a95e38';
const PASSWORD = 'correct-horse-battery-staple';

function usage(problem) {
  console.error(`better-auth server: ${problem}\n`
    + 'usage: node server.mjs [--port N] [--db PATH|:memory:] [--journal wal|rollback] '
    + '[--synchronous normal|full] [--hash precomputed|scrypt]');
  process.exit(2);
}

const settings = { port: 0, db: ':memory:', journal: 'wal', synchronous: 'normal', hash: 'precomputed' };
const choices = { journal: ['wal', 'rollback'], synchronous: ['normal', 'full'], hash: ['precomputed', 'scrypt'] };
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  const key = arg.replace(/^--/, '');
  if (!(key in settings) || !arg.startsWith('--')) usage(`unknown argument '${arg}'`);
  if (i + 1 >= process.argv.length) usage(`${arg} needs a value`);
  const value = process.argv[++i];
  if (key === 'port') {
    if (!/^\d+$/.test(value) || Number(value) > 65535) usage('--port wants a number up to 65535');
    settings.port = Number(value);
  } else {
    if (choices[key] && !choices[key].includes(value)) usage(`${arg} is ${choices[key].join(' or ')}`);
    settings[key] = value;
  }
}

const B36 = '0123456789abcdefghijklmnopqrstuvwxyz';
function randomBase36(len) {  // as bench.mjs: rejection sampling, no modulo bias
  let out = '';
  const buf = new Uint8Array(len * 2);
  while (out.length < len) {
    crypto.getRandomValues(buf);
    for (const b of buf) {
      if (b < 252) {
        out += B36[b % 36];
        if (out.length === len) break;
      }
    }
  }
  return out;
}

const db = new Database(settings.db);
const inMemory = settings.db === ':memory:' || settings.db === '';
if (!inMemory) {
  db.pragma(`journal_mode = ${settings.journal === 'wal' ? 'WAL' : 'DELETE'}`);
  db.pragma(`synchronous = ${settings.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
}
const pragmas = {
  journal_mode: db.pragma('journal_mode', { simple: true }),
  synchronous: db.pragma('synchronous', { simple: true }),
};

// Listen first: the origin (with the port chosen) is Better Auth's baseURL.
let handler = (req, res) => { res.statusCode = 503; res.end(); };
const server = http.createServer((req, res) => handler(req, res));
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(settings.port, '127.0.0.1', resolve);
});
const { port } = server.address();
const origin = `http://127.0.0.1:${port}`;

const options = {
  database: db,
  secret: SECRET,
  baseURL: origin,
  trustedOrigins: [`http://localhost:${port}`],
  emailAndPassword: { enabled: true },
  user: { additionalFields: { bio: { type: 'string', required: false } } },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  plugins: [
    anonymous({
      emailDomainName: 'guest.example.com',
      generateName: () => `Guest-${randomBase36(8)}`,
      onLinkAccount: async ({ anonymousUser, newUser, ctx }) => {
        const bio = anonymousUser.user.bio;
        if (bio != null) await ctx.context.internalAdapter.updateUser(newUser.user.id, { bio });
      },
    }),
    bearer(),
  ],
};
const auth = betterAuth(options);
const { runMigrations } = await getMigrations(options);
await runMigrations();
if (settings.hash === 'precomputed') {
  const ctx = await auth.$context;
  const precomputed = await hashPassword(PASSWORD);   // a real scrypt hash of the benchmark password
  ctx.password.hash = async () => precomputed;
}
handler = toNodeHandler(auth);

let stopping = false;
const stop = () => {
  if (stopping) process.exit(1);
  stopping = true;
  server.close();
  server.closeAllConnections?.();
  db.close();
  console.error('better-auth server: stopped');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

process.stdout.write(`${origin}\n`);
console.error(`better-auth server: serving ${origin} on ${inMemory ? 'SQLite in memory' : settings.db} `
  + `(journal_mode=${pragmas.journal_mode}, synchronous=${pragmas.synchronous}), ${settings.hash} hash, `
  + `Node ${process.version}`);
