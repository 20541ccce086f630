// The C++ example server under load with wrk, on loopback, about ten seconds in all:
//   1. ~5 s of GET /api/auth/get-session with one guest's cookie, 64 connections, 2 threads;
//   2. ~5 s of POST /api/auth/sign-in/anonymous, 64 connections, 2 threads (support/load.lua),
//      while this process signs in a known number of guests of its own.
// Then: no socket error, no timeout, every answer 2xx (and every get-session a session), a rate
// above a sanity floor (not a performance target), and no session lost: the first cookie, a
// sample of the tokens wrk received and the guests signed in meanwhile all still resolve.
//
//   ANONAUTH_SERVER_BIN=<example_server> node --test load.test.mjs
//
// ANONAUTH_WRK: the wrk binary (default /usr/bin/wrk). ANONAUTH_LOAD_MIN_RPS: the floor in
// requests per second (default 500; lower it for a sanitizer build). Against the reference server
// (ANONAUTH_E2E_SERVER=reference) the test is skipped: it measures the C++ server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serverKind, startServer } from './support/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WRK = process.env.ANONAUTH_WRK || '/usr/bin/wrk';
const SCRIPT = path.join(here, 'support', 'load.lua');
const MIN_RPS = Number(process.env.ANONAUTH_LOAD_MIN_RPS || 500);
const PHASE_SECONDS = 5;
const CONNECTIONS = 64;
const THREADS = 2;
const SIDE_GUESTS = 20;   // signed in by this process during the sign-in phase
const SECRET = 'e2e-load-secret-0123456789abcdefghijklmnopqrstuv';
const SESSION = 'better-auth.session_token';

const cookieFor = (token) =>
  `${SESSION}=${encodeURIComponent(`${token}.${createHmac('sha256', SECRET).update(token).digest('base64')}`)}`;

function skipReason() {
  if (serverKind() !== 'anonauth') return 'the load test measures the C++ server (ANONAUTH_E2E_SERVER=anonauth)';
  if (!existsSync(WRK)) return `wrk not found at ${WRK} (scripts/setup-debian.sh installs it; or set ANONAUTH_WRK)`;
  return false;
}

/** Runs wrk; resolves with its stdout and the JSON report support/load.lua writes. */
function wrk(url, { mode, out, headers = [] }) {
  const args = ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${PHASE_SECONDS}s`, '--timeout', '10s',
    '--latency', '-s', SCRIPT];
  for (const h of headers) args.push('-H', h);
  args.push(url);
  return new Promise((resolve, reject) => {
    execFile(WRK, args, {
      env: { ...process.env, LOAD_MODE: mode, LOAD_OUT: out, LOAD_SAMPLE: '100' },
      timeout: (PHASE_SECONDS + 20) * 1000,
      maxBuffer: 1 << 20,
    }, async (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`wrk ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
        return;
      }
      try {
        resolve({ stdout, report: JSON.parse(await readFile(out, 'utf8')) });
      } catch (e) {
        reject(new Error(`wrk wrote no report (${e.message})\n${stdout}\n${stderr}`));
      }
    });
  });
}

async function signInGuest(origin) {
  const response = await fetch(`${origin}/api/auth/sign-in/anonymous`, { method: 'POST' });
  assert.equal(response.status, 200, `a guest signed in during the load: ${response.status}`);
  return (await response.json()).token;
}

async function sessionToken(origin, token) {
  const response = await fetch(`${origin}/api/auth/get-session`, { headers: { cookie: cookieFor(token) } });
  assert.equal(response.status, 200);
  return (await response.json())?.session.token ?? null;
}

function checkPhase(t, name, { stdout, report }) {
  console.log(`--- wrk, ${name} ---\n${stdout.trimEnd()}`);   // wrk's own summary
  const seconds = report.duration_us / 1e6;
  const rps = report.requests / seconds;
  const { latency_us: l } = report;
  t.diagnostic(`${name}: ${report.requests} requests in ${seconds.toFixed(2)} s = ${rps.toFixed(0)}/s; `
    + `latency mean ${(l.mean / 1000).toFixed(2)} ms, p50 ${(l.p50 / 1000).toFixed(2)} ms, `
    + `p99 ${(l.p99 / 1000).toFixed(2)} ms, max ${(l.max / 1000).toFixed(2)} ms`);
  // Leaving aside connections cut at the end of the run, every request wrk counted was answered.
  assert.deepEqual(report.errors, { connect: 0, read: 0, write: 0, status: 0, timeout: 0 }, `${name}: socket errors`);
  assert.equal(report.bad_status, 0, `${name}: non-2xx answers`);
  assert.equal(report.lost, 0, `${name}: answers without a session`);
  assert.ok(report.ok >= report.requests, `${name}: ${report.ok} good answers for ${report.requests} requests`);
  assert.ok(rps > MIN_RPS, `${name}: ${rps.toFixed(0)} requests/s, below the sanity floor of ${MIN_RPS}/s`);
  return rps;
}

test('wrk: get-session then anonymous sign-in at 64 connections; nothing fails, no session is lost',
  { timeout: 90_000, skip: skipReason() }, async (t) => {
    const server = await startServer({ args: ['--secret', SECRET] });
    const dir = await mkdtemp(path.join(tmpdir(), 'anonauth-e2e-load-'));
    try {
      const first = await signInGuest(server.origin);
      assert.equal(await sessionToken(server.origin, first), first);

      const reading = await wrk(`${server.origin}/api/auth/get-session`, {
        mode: 'get-session', out: path.join(dir, 'get-session.json'), headers: [`Cookie: ${cookieFor(first)}`],
      });
      checkPhase(t, 'GET /api/auth/get-session', reading);

      // During the sign-in phase this process signs in guests of its own, spread over the run.
      const signingIn = wrk(`${server.origin}/api/auth/sign-in/anonymous`, {
        mode: 'sign-in', out: path.join(dir, 'sign-in.json'),
      });
      const side = [];
      for (let i = 0; i < SIDE_GUESTS; ++i) {
        await new Promise((resolve) => setTimeout(resolve, (PHASE_SECONDS * 1000 * 0.8) / SIDE_GUESTS));
        side.push(await signInGuest(server.origin));
      }
      const writing = await signingIn;
      checkPhase(t, 'POST /api/auth/sign-in/anonymous', writing);
      const sampled = writing.report.tokens;
      assert.ok(sampled.length >= Math.min(100, writing.report.requests), `${sampled.length} tokens sampled`);
      assert.equal(new Set(sampled).size, sampled.length, 'every token is new');

      // No session was lost.
      assert.equal(await sessionToken(server.origin, first), first, 'the first guest\'s cookie still resolves');
      let resolved = 0;
      for (const token of [...sampled, ...side]) {
        assert.equal(await sessionToken(server.origin, token), token, `the session of ${token}`);
        ++resolved;
      }
      t.diagnostic(`${resolved} sessions created under load resolve (${sampled.length} from wrk, ${side.length} side guests)`);
    } catch (e) {
      console.error(`--- server stderr ---\n${server.stderr().trimEnd() || '(empty)'}`);
      throw e;
    } finally {
      const stopped = await server.stop();
      await rm(dir, { recursive: true, force: true });
      assert.deepEqual(stopped, { code: 0, signal: null }, `the server exits cleanly\n${server.stderr()}`);
    }
  });
