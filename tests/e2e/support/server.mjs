// Starting the server under test, and a cookie jar for Node's fetch.
//
//   import { startServer, makeCookieFetch } from './support/server.mjs';
//   const server = await startServer();             // kind from ANONAUTH_E2E_SERVER
//   ... fetch(`${server.origin}/api/cart`) ...
//   await server.stop();
//
// Two kinds of server implement the same contract (examples/server):
//   'anonauth'   the C++ example server: the binary in ANONAUTH_SERVER_BIN, started with
//                --port 0 --db <a fresh temporary file> (or the `db` given).
//   'reference'  Better Auth itself (reference-server.mjs), serving the page built into
//                ANONAUTH_WEB_DIR; it keeps everything in memory.
// ANONAUTH_E2E_SERVER picks the kind for a test run (default 'anonauth').
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const referenceServerScript = path.resolve(here, '..', 'reference-server.mjs');

const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;
const STDERR_KEEP = 64 * 1024;
const ORIGIN_LINE = /^http:\/\/127\.0\.0\.1:\d{1,5}$/;

/** The kind of server this test run uses: ANONAUTH_E2E_SERVER, 'anonauth' by default. */
export function serverKind() {
  const kind = process.env.ANONAUTH_E2E_SERVER || 'anonauth';
  if (kind !== 'anonauth' && kind !== 'reference') {
    throw new Error(`ANONAUTH_E2E_SERVER must be "anonauth" or "reference", not "${kind}"`);
  }
  return kind;
}

/**
 * Starts a server and waits for its origin (the first line on its stdout).
 *
 * @param {object} [options]
 * @param {'anonauth'|'reference'} [options.kind]  default: serverKind()
 * @param {string[]} [options.args]  more command-line arguments (e.g. ['--rate-limit'])
 * @param {Record<string,string|undefined>} [options.env]  added to (or, undefined, removed from)
 *        this process's environment, for the server (ANONAUTH_SERVER_BIN and ANONAUTH_WEB_DIR
 *        are read from the result too)
 * @param {string} [options.db]  'anonauth' only: this database file instead of a fresh one (it is
 *        then not deleted by stop(), so a second server can reopen it)
 * @returns {Promise<{origin: string, kind: string, db: string|undefined, pid: number,
 *           stderr: () => string, stop: () => Promise<{code: number|null, signal: string|null}>}>}
 */
export async function startServer({ kind = serverKind(), args = [], env = {}, db } = {}) {
  const childEnv = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }

  let command;
  let argv;
  let tempDir;
  if (kind === 'anonauth') {
    command = childEnv.ANONAUTH_SERVER_BIN;
    if (!command) {
      throw new Error('ANONAUTH_SERVER_BIN is not set: give the path of the built example_server '
        + '(or run with ANONAUTH_E2E_SERVER=reference)');
    }
    if (!db) {
      tempDir = await mkdtemp(path.join(tmpdir(), 'anonauth-e2e-'));
      db = path.join(tempDir, 'server.db');
    }
    argv = ['--port', '0', '--db', db, ...args];
  } else if (kind === 'reference') {
    const web = childEnv.ANONAUTH_WEB_DIR;
    if (!web) {
      throw new Error('ANONAUTH_WEB_DIR is not set: give the directory the page was built into '
        + '(node examples/server/web/build.mjs DIR)');
    }
    command = process.execPath;
    argv = [referenceServerScript, '--port', '0', '--web', web, ...args];
    db = undefined;
  } else {
    throw new Error(`startServer: unknown kind "${kind}" (anonauth or reference)`);
  }

  const child = spawn(command, argv, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderrText = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderrText = (stderrText + chunk).slice(-STDERR_KEEP);
    if (process.env.ANONAUTH_E2E_VERBOSE) process.stderr.write(chunk);
  });
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', () => {   // not started at all (e.g. no such file): no 'exit' follows
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);   // a test that crashes leaves no server behind

  const cleanup = async () => {
    process.off('exit', killOnExit);
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };
  const describe = () => `${kind} server (${[command, ...argv].join(' ')})`;

  let origin;
  try {
    origin = await new Promise((resolve, reject) => {
      let stdoutText = '';
      const timer = setTimeout(() => {
        reject(new Error(`${describe()} printed no origin within ${START_TIMEOUT_MS / 1000} s`));
      }, START_TIMEOUT_MS);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk) => {
        if (stdoutText === null) return;   // the origin is known; keep draining the pipe
        stdoutText += chunk;
        const newline = stdoutText.indexOf('\n');
        if (newline < 0) return;
        const line = stdoutText.slice(0, newline).trim();
        stdoutText = null;
        clearTimeout(timer);
        if (ORIGIN_LINE.test(line)) resolve(line);
        else reject(new Error(`${describe()}: the first line on stdout is not an origin: ${JSON.stringify(line)}`));
      });
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`${describe()} could not start: ${e.message}`));
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${describe()} exited (${signal ?? `code ${code}`}) before printing its origin`));
      });
    });
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    await cleanup();
    e.message += `\n--- server stderr ---\n${stderrText.trimEnd() || '(empty)'}`;
    throw e;
  }

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      const result = await exited;
      await cleanup();
      return result;
    })();
    return stopping;
  };

  return { origin, kind, db, pid: child.pid, stderr: () => stderrText, stop };
}

/**
 * A fetch that keeps cookies, for Better Auth's client (or plain requests) in Node, whose fetch
 * keeps none. One jar per call: one "browser".
 *
 *   const cookieFetch = makeCookieFetch({ origin: server.origin });
 *   const client = createAuthClient({ baseURL: server.origin,
 *                                     fetchOptions: { customFetchImpl: cookieFetch } });
 *
 * Set-Cookie is stored per cookie name (domain and path are not looked at: one server per jar);
 * Max-Age <= 0 or an Expires in the past deletes the cookie. The jar's cookies go back in a Cookie
 * header unless the request sets one itself. With `origin`, requests other than GET and HEAD also
 * carry `Origin: <origin>` (unless they set one), as a browser's do: Better Auth refuses a
 * cookie-bearing POST without it.
 *
 * @param {{origin?: string, fetch?: typeof fetch}} [options]
 * @returns {typeof fetch & {jar: Map<string,string>, cookieHeader: () => string, clear: () => void}}
 */
export function makeCookieFetch({ origin, fetch: baseFetch = globalThis.fetch } = {}) {
  const jar = new Map();

  const store = (setCookie) => {
    const [pair, ...attributes] = setCookie.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let expired = false;
    let maxAgeSeen = false;
    for (const attribute of attributes) {
      const [key, ...rest] = attribute.split('=');
      const k = key.trim().toLowerCase();
      const v = rest.join('=').trim();
      if (k === 'max-age') {
        maxAgeSeen = true;
        expired = Number(v) <= 0;
      } else if (k === 'expires' && !maxAgeSeen) {
        const when = Date.parse(v);
        if (!Number.isNaN(when)) expired = when <= Date.now();
      }
    }
    if (expired) jar.delete(name);
    else jar.set(name, value);
  };

  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

  const cookieFetch = async (input, init = {}) => {
    const request = input instanceof Request ? input : undefined;
    const headers = new Headers(init.headers ?? request?.headers);
    if (jar.size > 0 && !headers.has('cookie')) headers.set('cookie', cookieHeader());
    const method = String(init.method ?? request?.method ?? 'GET').toUpperCase();
    if (origin && method !== 'GET' && method !== 'HEAD' && !headers.has('origin')) {
      headers.set('origin', origin);
    }
    const response = await baseFetch(input, { ...init, headers });
    for (const line of response.headers.getSetCookie()) store(line);
    return response;
  };
  cookieFetch.jar = jar;
  cookieFetch.cookieHeader = cookieHeader;
  cookieFetch.clear = () => jar.clear();
  return cookieFetch;
}
