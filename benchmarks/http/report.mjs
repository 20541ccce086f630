#!/usr/bin/env node
// The arithmetic of scripts/bench-http.sh: reads its JSON lines (one per run) and prints, per
// storage, operation and connection count, anonauth's requests/s against Better Auth's and the
// floor's, then the targets, met or not, and the runs that were flagged.
//
//   node benchmarks/http/report.mjs RESULTS_FILE [--context LABEL=VALUE]...
//
// A line: {"server":"anonauth"|"better-auth"|"floor","db":"file-wal"|"memory","op":"get-session"|
// "sign-in"|"link","connections":N,"rps":R,"p50_ms":..,"p99_ms":..,"errors":..,"non_2xx":..,
// "ok":true|false,"problems":[...],...}. Exit code 1 when a run was flagged or a number is
// missing, 2 on bad arguments; a target not met is reported, not an error.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const context = [];
let file;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--context' && i + 1 < args.length) {
    const pair = args[++i];
    const eq = pair.indexOf('=');
    context.push(eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)]);
  } else if (file === undefined) file = args[i];
  else {
    console.error('usage: node report.mjs RESULTS_FILE [--context LABEL=VALUE]...');
    process.exit(2);
  }
}
if (!file) {
  console.error('usage: node report.mjs RESULTS_FILE [--context LABEL=VALUE]...');
  process.exit(2);
}

const runs = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const find = (server, db, op, c) => runs.find((r) => r.server === server && r.db === db && r.op === op && r.connections === c);
const keys = [];
for (const r of runs) {
  if (!keys.some((k) => k.db === r.db && k.op === r.op && k.c === r.connections)) keys.push({ db: r.db, op: r.op, c: r.connections });
}

const num = (x, digits = 0) => (x == null || Number.isNaN(x) ? 'n/a' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const ms = (x) => (x == null ? 'n/a' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const ratio = (a, b) => (a && b ? a / b : null);
const fmtRatio = (x) => (x == null ? 'n/a' : x >= 10 ? `${x.toFixed(1)}x` : `${x.toFixed(2)}x`);
const flag = (r) => (r && !r.ok ? ' (!)' : '');

// A Markdown table: the first `left` columns aligned left, the others (numbers) right.
function table(header, rows, left = 2) {
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => (i < left ? String(c).padEnd(width[i]) : String(c).padStart(width[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${width.map((w, i) => (i < left ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

console.log('\n## Requests/s, median and p99 latency (ms), per run');
table(['db', 'operation', 'conns', 'anonauth rps', 'p50', 'p99', 'Better Auth rps', 'p50', 'p99', 'floor rps', 'p50', 'p99',
  'anonauth / BA', 'floor / anonauth'],
  keys.map(({ db, op, c }) => {
    const a = find('anonauth', db, op, c);
    const b = find('better-auth', db, op, c);
    const f = find('floor', db, op, c);
    return [db, op, c, num(a?.rps) + flag(a), ms(a?.p50_ms), ms(a?.p99_ms), num(b?.rps, b?.rps < 100 ? 1 : 0) + flag(b),
      ms(b?.p50_ms), ms(b?.p99_ms), f ? num(f.rps) + flag(f) : '', f ? ms(f.p50_ms) : '', f ? ms(f.p99_ms) : '',
      fmtRatio(ratio(a?.rps, b?.rps)), f ? fmtRatio(ratio(f.rps, a?.rps)) : ''];
  }));

// ---------- targets ----------
const targets = [];
for (const { db, op, c } of keys) {
  const a = find('anonauth', db, op, c);
  const b = find('better-auth', db, op, c);
  const f = find('floor', db, op, c);
  const vsPeer = { 'get-session': 50, 'sign-in': 30 }[op];
  if (vsPeer) {
    const x = ratio(a?.rps, b?.rps);
    targets.push([db, op, c, `>= ${vsPeer}x Better Auth's requests/s`, fmtRatio(x), x == null ? 'n/a' : x >= vsPeer ? 'met' : 'NOT met']);
  }
  if (c === 64 && a) {
    targets.push([db, op, c, 'anonauth p99 < 5 ms', `${ms(a.p99_ms)} ms`, a.p99_ms < 5 ? 'met' : 'NOT met']);
  }
  if (op === 'get-session' && f) {
    const x = ratio(f.rps, a?.rps);
    targets.push([db, op, c, 'floor rps / anonauth rps <= 1.5', fmtRatio(x), x == null ? 'n/a' : x <= 1.5 ? 'met' : 'NOT met']);
  }
}
console.log('\n## Targets');
table(['db', 'operation', 'conns', 'target', 'measured', 'status'], targets, 4);

const flagged = runs.filter((r) => !r.ok);
let exit = 0;
if (flagged.length) {
  exit = 1;
  console.log('\n## Flagged runs (errors, non-2xx, wrong answers or missing guests)');
  for (const r of flagged) console.log(`- ${r.server}, ${r.db}, ${r.op}, ${r.connections} connection(s): ${(r.problems || []).join('; ') || 'see its JSON line'}`);
} else {
  console.log(`\nEvery run (${runs.length}) had zero socket errors, zero non-2xx answers and the answers it should.`);
}
const missing = keys.filter(({ db, op, c }) => !find('anonauth', db, op, c) || !find('better-auth', db, op, c));
if (missing.length) exit = 1;

console.log('\n## Context');
for (const [k, v] of context) console.log(`- ${k}: ${v}`);
const loads = runs.map((r) => r.loadavg_before?.[0]).filter((x) => x != null);
if (loads.length) console.log(`- 1-minute load average before the runs: ${Math.min(...loads)} to ${Math.max(...loads)}`);
process.exit(exit);
