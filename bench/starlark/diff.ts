// Differential test at scale: N random reconciler-style programs (and the
// hand-written probes) under our interpreter and under the starlark-go
// reference; prints the mismatch rate, the allowlisted (deliberate) ones, and
// the first few unexplained mismatches, minimised.
//
// Usage: node dist/bench/starlark/diff.js [--count 5000] [--seed 1] [--show 10]

import { generateProgram, programText } from '../../src/starlark/testing/generate.js';
import { allowedReason, difference, minimise, referenceBinary, runOurs, runReference, type Job } from '../../src/starlark/testing/differential.js';
import { loadProbes } from '../../test/starlark/differential/probes.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const count = arg('count', 5000);
const seed = arg('seed', 1);
const show = arg('show', 10);
const ref = referenceBinary();
if (!('path' in ref)) {
  console.error(`cannot build the starlark-go reference: ${ref.reason}`);
  process.exit(1);
}
const progs = Array.from({ length: count }, (_, i) => generateProgram(seed * 1_000_003 + i));
const jobs: Job[] = progs.map((p) => ({ src: programText(p), options: [] }));
const t0 = Date.now();
const refs = runReference(ref.path, jobs);
const t1 = Date.now();
let mismatched = 0;
let allowed = 0;
const reasons = new Map<string, number>();
const shown: string[] = [];
for (let i = 0; i < jobs.length; i++) {
  const ours = runOurs(jobs[i]!);
  const d = difference(ours, refs[i]!);
  if (d === null) continue;
  const why = allowedReason(ours, refs[i]!, jobs[i]!.src);
  if (why !== null) {
    allowed++;
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
    continue;
  }
  mismatched++;
  if (shown.length < show) {
    const p = progs[i]!;
    const body = minimise(ref.path, p.header, p.body, p.footer, []);
    const small = programText({ ...p, body });
    shown.push(`--- program ${i}: ${difference(runOurs({ src: small, options: [] }), runReference(ref.path, [{ src: small, options: [] }])[0]!) ?? d}\n${small}`);
  }
}
const t2 = Date.now();
const probes = loadProbes();
const probeRefs = runReference(ref.path, probes.map((p) => p.job));
const probeMismatches = probes.filter((p, i) => {
  const ours = runOurs(p.job);
  return difference(ours, probeRefs[i]!) !== null && allowedReason(ours, probeRefs[i]!, p.job.src) === null;
});
console.log(shown.join('\n'));
for (const [why, n] of reasons) console.log(`allowed x${n}: ${why}`);
for (const p of probeMismatches) console.log(`probe mismatch: ${p.name}`);
const pct = (n: number) => ((100 * n) / count).toFixed(2);
console.log(`programs: ${count} (seed ${seed}); unexplained mismatches: ${mismatched} (${pct(mismatched)}%); allowed: ${allowed} (${pct(allowed)}%)`);
console.log(`probes: ${probes.length}; unexplained mismatches: ${probeMismatches.length}`);
console.log(`time: starlark-go ${t1 - t0} ms, ours ${t2 - t1} ms (incl. minimising)`);
