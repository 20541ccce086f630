#!/usr/bin/env node
// The arithmetic of scripts/bench-peer.sh: reads the runs it recorded and prints, per database
// kind, anonauth's ops/s against Better Auth's (its `auth.api.*` path and its handler path), the
// ratio and the target, then the run log (exit codes, load averages) and the machine.
//
//   node scripts/bench-peer-compare.mjs STEPS_FILE [--context LABEL=VALUE]...
//
// STEPS_FILE holds one JSON object per program run, in the order they ran:
//   {"round":1,"side":"anonauth"|"better-auth","kind":"memory"|"file","program":"...","rc":0,
//    "wall_s":1.2,"loadavg_before":[1,1,1],"loadavg_after":[1,1,1],"output":"<file with its stdout>"}
// The output file holds the program's JSON line (anonauth_bench_sqlite's "anonauth-sqlite" line
// or bench.mjs's "better-auth-anonymous-plugin" line). Every --context pair is printed as is in
// the machine section. Exit code: 0, or 2 on bad arguments.
import { readFileSync, existsSync } from 'node:fs';

const args = process.argv.slice(2);
const context = [];
let stepsFile;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--context' && i + 1 < args.length) {
    const pair = args[++i];
    const eq = pair.indexOf('=');
    context.push(eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)]);
  } else if (stepsFile === undefined) {
    stepsFile = args[i];
  } else {
    console.error('usage: node bench-peer-compare.mjs STEPS_FILE [--context LABEL=VALUE]...');
    process.exit(2);
  }
}
if (!stepsFile) {
  console.error('usage: node bench-peer-compare.mjs STEPS_FILE [--context LABEL=VALUE]...');
  process.exit(2);
}

// ---------- the runs ----------
const steps = readFileSync(stepsFile, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
for (const step of steps) {
  step.result = null;
  if (!existsSync(step.output)) continue;
  // the last line that parses as the expected JSON object (a program prints one)
  for (const line of readFileSync(step.output, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const j = JSON.parse(line);
      if (j && typeof j.ops === 'object') step.result = j;
    } catch { /* not JSON: ignore */ }
  }
}

// ---------- the pairs ----------
// ours: anonauth_bench_sqlite's phase; api / handler: bench.mjs's phases (null: it has none).
// When the peer has no auth.api phase for an operation, its ratio is taken against the handler
// and marked so.
const ourConcurrentKey = (ops) =>
  Object.keys(ops).find((k) => /^link/.test(k) && /(concurren|_c\d+($|_))/.test(k)) ?? null;
const pairs = [
  { label: 'anonymous sign-in', ours: 'sign_in_anonymous', api: 'sign_in_anonymous_api', handler: 'sign_in_anonymous_handler', target: 100 },
  { label: 'get-session', ours: 'get_session', api: 'get_session_api', handler: 'get_session_handler', target: 100 },
  { label: 'link without hashing', ours: 'link_no_hash_rows_0', api: null, handler: 'link_sign_up_email_handler_no_scrypt', target: 50 },
  { label: 'link with hashing (Argon2id vs scrypt)', ours: 'link_argon2id_rows_0', api: null, handler: 'link_sign_up_email_handler', target: null },
  { label: 'concurrent links (4 in flight)', ours: ourConcurrentKey, api: null, handler: 'link_sign_up_email_handler_c4', target: null },
];

const kinds = [
  { kind: 'memory', title: 'SQLite in memory: anonauth sqlite-memory vs Better Auth `:memory:`' },
  { kind: 'file', title: 'SQLite file, journal_mode=DELETE, synchronous=FULL: anonauth sqlite-file-peer vs Better Auth file' },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? null : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const fmtOps = (x) => (x == null ? 'n/a' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const fmtRatio = (x) => (x == null ? 'n/a' : x >= 10 ? `${x.toFixed(1)}x` : `${x.toFixed(2)}x`);

// The results of one side and kind, in round order.
const results = (side, kind) => steps.filter((s) => s.side === side && s.kind === kind && s.result).map((s) => s.result);

function row(pair, ours, peers) {
  const ourKey = (r) => (typeof pair.ours === 'function' ? pair.ours(r.ops) : pair.ours);
  const ourPerRound = ours.map((r) => r.ops[ourKey(r)]?.ops_per_s).filter((x) => x != null);
  const apiPerRound = pair.api ? peers.map((r) => r.ops[pair.api]?.ops_per_s).filter((x) => x != null) : [];
  const handlerPerRound = peers.map((r) => r.ops[pair.handler]?.ops_per_s).filter((x) => x != null);
  const o = median(ourPerRound);
  const a = median(apiPerRound);
  const h = median(handlerPerRound);
  const against = a ?? h;
  const viaHandler = a == null && h != null;
  const ratio = o != null && against ? o / against : null;
  // one ratio per round where both sides have the phase (same round = back-to-back runs)
  const perRound = [];
  for (let i = 0; i < Math.min(ours.length, peers.length); i++) {
    const ov = ours[i].ops[ourKey(ours[i])]?.ops_per_s;
    const pv = (peers[i].ops[pair.api] ?? peers[i].ops[pair.handler])?.ops_per_s;
    if (ov != null && pv) perRound.push(ov / pv);
  }
  // median latencies, for the ratio of medians (the other way to read the same runs)
  const ourMed = median(ours.map((r) => r.ops[ourKey(r)]?.median_ms).filter((x) => x != null));
  const peerMed = median(peers.map((r) => (r.ops[pair.api] ?? r.ops[pair.handler])?.median_ms).filter((x) => x != null));
  let ratioCell = fmtRatio(ratio);
  if (ratio != null && viaHandler) ratioCell += ' (handler)';
  if (perRound.length > 1) ratioCell += ` [${fmtRatio(Math.min(...perRound))}–${fmtRatio(Math.max(...perRound))}]`;
  const met = pair.target == null ? '—' : ratio == null ? 'n/a' : ratio >= pair.target ? 'yes' : 'no';
  return {
    cells: [
      pair.label, fmtOps(o), pair.api ? fmtOps(a) : 'n/a', fmtOps(h), ratioCell,
      pair.target == null ? '—' : `${pair.target}x`, met,
      ourMed && peerMed ? fmtRatio(peerMed / ourMed) : 'n/a',
    ],
    ratio, met,
  };
}

function table(header, rows, rightAligned) {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) => `| ${cells.map((x, c) => (rightAligned[c] ? x.padStart(widths[c]) : x.padEnd(widths[c]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, c) => (rightAligned[c] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

const header = [
  'operation', 'anonauth ops/s', 'Better Auth ops/s (auth.api)', 'Better Auth ops/s (handler)',
  'ratio vs API', 'target', 'met?', 'ratio of medians',
];
const summary = [];
console.log('');
for (const { kind, title } of kinds) {
  const ours = results('anonauth', kind);
  const peers = results('better-auth', kind);
  if (!ours.length && !peers.length) continue;
  console.log(`## ${title}`);
  const ourSql = ours[0]?.sqlite;
  const peerSql = peers[0]?.sqlite;
  console.log(`anonauth: SQLite ${ourSql?.version ?? '?'}, journal_mode=${ourSql?.journal_mode ?? '?'}, synchronous=${ourSql?.synchronous ?? '?'}` +
    `${ours[0]?.quick ? ', --quick' : ''}; runs: ${ours.length}`);
  const syncName = { 0: 'off', 1: 'normal', 2: 'full', 3: 'extra' };
  console.log(`Better Auth: SQLite ${peerSql?.version ?? '?'}, journal_mode=${peerSql?.journal_mode ?? '?'}, ` +
    `synchronous=${peerSql ? syncName[peerSql.synchronous] ?? peerSql.synchronous : '?'}; runs: ${peers.length}`);
  if (ourSql && peerSql) {
    if (String(ourSql.journal_mode).toLowerCase() !== String(peerSql.journal_mode).toLowerCase())
      console.log(`WARNING: journal modes differ (${ourSql.journal_mode} vs ${peerSql.journal_mode}): not like for like`);
    if (kind === 'file' && String(ourSql.synchronous).toLowerCase() !== syncName[peerSql.synchronous])
      console.log(`WARNING: synchronous differs (${ourSql.synchronous} vs ${peerSql.synchronous}): not like for like`);
  }
  const capped = [...new Set(peers.flatMap((r) => [
    ...Object.entries(r.ops).filter(([, v]) => v.capped).map(([k]) => `${k} (capped)`),
    ...(r.skipped_phases ?? []).map((k) => `${k} (skipped)`),
  ]))];
  if (capped.length) console.log(`Better Auth phases cut short by its time caps: ${capped.join(', ')}`);
  const rows = pairs.map((p) => row(p, ours, peers));
  table(header, rows.map((r) => r.cells), [false, true, true, true, true, true, false, true]);
  for (const [p, r] of pairs.map((p, i) => [p, rows[i]])) if (p.target != null) summary.push({ kind, label: p.label, target: p.target, ...r });
  console.log('');
}

console.log(`ops/s as each side reports it: n / the time spent in the operations (anonauth: measure.hpp; Better Auth:
bench.mjs), concurrent links n / wall time. With several rounds a cell is the median over the rounds and
[a–b] the range of the per-round ratios. "ratio vs API" is anonauth over auth.api.*; where Better Auth has
no auth.api phase (links) it is over the handler, marked "(handler)". "ratio of medians" is Better Auth's
median latency over anonauth's, on the same path as "ratio vs API". The link with hashing is dominated by
the hash (Argon2id, libsodium INTERACTIVE, against scrypt N=16384 r=16 p=1): it compares the hashes more
than the libraries. anonauth has no concurrent-link phase unless its JSON has a link key ending in _cN.`);

if (summary.length) {
  console.log('');
  console.log('Targets: ' + summary.map((s) => `${s.label} (${s.kind}) ${fmtRatio(s.ratio)} of ${s.target}x: ${s.met}`).join('; '));
}

// ---------- the run log ----------
console.log('');
console.log('## Runs (in order)');
const logRows = steps.map((s) => [
  String(s.round), s.side, s.kind, s.program, String(s.rc), s.wall_s == null ? '?' : s.wall_s.toFixed(1),
  JSON.stringify(s.loadavg_before), JSON.stringify(s.loadavg_after),
  s.result ? (s.side === 'better-auth' ? `checks ${s.result.correctness?.checks ?? '?'}, failures ${s.result.correctness?.failures ?? '?'}` : 'ok') : 'no JSON',
]);
table(['round', 'side', 'db', 'program', 'exit', 'wall s', 'loadavg before', 'loadavg after', 'result'], logRows,
  [true, false, false, false, true, true, false, false, false]);

// ---------- the machine ----------
console.log('');
console.log('## Machine and versions');
for (const [k, v] of context) console.log(`${k}: ${v}`);
const anyPeer = steps.find((s) => s.side === 'better-auth' && s.result)?.result;
const anyOurs = steps.find((s) => s.side === 'anonauth' && s.result)?.result;
if (anyPeer) {
  console.log(`Better Auth: ${anyPeer.better_auth}, Node ${anyPeer.node}, better-sqlite3 ${anyPeer.better_sqlite3}, ` +
    `SQLite ${anyPeer.sqlite?.version} (bundled); its view of the machine: ${anyPeer.cpu}, nproc ${anyPeer.nproc}, ${anyPeer.platform}`);
}
if (anyOurs) {
  console.log(`anonauth: SQLite ${anyOurs.sqlite?.version} (system library), threads ${anyOurs.threads}, ` +
    `hardware_threads ${anyOurs.hardware_threads}${anyOurs.compiler ? `, compiler ${anyOurs.compiler}` : ''}`);
}
