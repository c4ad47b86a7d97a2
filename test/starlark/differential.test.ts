// Differential test against starlark-go: a fixed seed of random
// reconciler-style programs plus the hand-written probes
// (test/starlark/differential/probes.star) must behave exactly as under the
// starlark-go reference (scripts/build-starlark-ref.sh): same print() output,
// same failure, same error message. Deliberate differences are listed in
// ALLOWED (src/starlark/testing/differential.ts); a probe marked
// `# pending:` must still differ (so the marker goes when the bug is fixed).
// Skips, saying why, where the reference cannot be built (no Go toolchain);
// scripts/setup-ci.sh installs it in CI. At scale: npm run bench:starlark:diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateProgram, programText } from '../../src/starlark/testing/generate.js';
import { allowedReason, difference, minimise, referenceBinary, runOurs, runReference, type Job } from '../../src/starlark/testing/differential.js';
import { loadProbes } from './differential/probes.js';

const SEED = 17;
const COUNT = 300;
const ref = referenceBinary();
const skip = 'path' in ref ? false : `starlark-go reference unavailable: ${ref.reason}`;

test('random reconciler-style programs behave as under starlark-go', { skip }, () => {
  const bin = (ref as { path: string }).path;
  const progs = Array.from({ length: COUNT }, (_, i) => generateProgram(SEED * 1_000_003 + i));
  const jobs: Job[] = progs.map((p) => ({ src: programText(p), options: [] }));
  const refs = runReference(bin, jobs);
  const failures: string[] = [];
  for (let i = 0; i < jobs.length; i++) {
    const ours = runOurs(jobs[i]!);
    if (difference(ours, refs[i]!) === null || allowedReason(ours, refs[i]!, jobs[i]!.src) !== null) continue;
    const p = progs[i]!;
    const small = programText({ ...p, body: failures.length < 3 ? minimise(bin, p.header, p.body, p.footer, []) : p.body });
    const d = difference(runOurs({ src: small, options: [] }), runReference(bin, [{ src: small, options: [] }])[0]!);
    failures.push(`program ${i}: ${d}\n${small}`);
  }
  assert.equal(failures.length, 0, `${failures.length} of ${COUNT} programs differ:\n${failures.slice(0, 3).join('\n')}`);
});

test('probes of known differences behave as under starlark-go', { skip }, () => {
  const bin = (ref as { path: string }).path;
  const probes = loadProbes();
  const refs = runReference(bin, probes.map((p) => p.job));
  const failures: string[] = [];
  probes.forEach((p, i) => {
    const ours = runOurs(p.job);
    const d = difference(ours, refs[i]!);
    const differs = d !== null; // probes name their pending differences themselves
    if (p.pending !== undefined && d === null) failures.push(`${p.name}: now matches starlark-go; remove its "# pending:" line`);
    if (p.pending === undefined && differs) failures.push(`${p.name}: ${d}`);
  });
  assert.deepEqual(failures, []);
});
