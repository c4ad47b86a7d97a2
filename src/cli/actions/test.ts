// `choreoctl test`: runs the golden cases (runner/golden.ts) and prints each
// as it ends — PASS / FAIL / UPDATED, and for a failure the unified diff
// against expected/ or the run's report — then the exact last line
// "N passed, N failed". Exit code 1 when a case failed or none was found.

import { renderReport } from '../../runner/observer.js';
import { runCases, testsDir, type CaseResult } from '../../runner/golden.js';
import { paintFor } from './color.js';

export async function testCommand(dir: string, o: { update?: boolean; k?: string; timeout: string }): Promise<void> {
  const paint = paintFor(process.stdout);
  const print = (r: CaseResult) => {
    const secs = r.report ? ` (${(r.report.durationMs / 1000).toFixed(2)}s)` : '';
    const out: string[] = [`${r.passed ? paint.good(r.updated ? 'UPDATED' : 'PASS') : paint.bad('FAIL')} ${r.name}${secs}`];
    if (r.problem) out.push(`  ${r.problem}`);
    else if (r.report && !r.report.success) out.push(renderReport(r.report, paint).replace(/^(?=.)/gm, '  '));
    if (r.patches.length > 0) out.push(r.patches.join('').trimEnd());
    process.stdout.write(out.join('\n') + '\n');
  };
  const results = await runCases(dir, { update: o.update, pattern: o.k, timeoutMs: Number(o.timeout) * 1000, onResult: print });
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  if (results.length === 0) process.stderr.write(`no test cases${o.k !== undefined ? ` matching ${JSON.stringify(o.k)}` : ''} in ${dir}/${testsDir}/ (a case is ${testsDir}/<case>/in/ and ${testsDir}/<case>/expected/)\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exitCode = failed > 0 || results.length === 0 ? 1 : 0;
}
