// `choreoctl test [dir]`: golden tests of a project's reconcilers — its flags
// and help; the runner is runner/golden.ts, printed by ../actions/test.ts.

import type { Command } from 'commander';
import { numberFlag } from './limits.js';

export function register(program: Command): void {
  program
    .command('test')
    .description('golden tests: run each tests/<case>/in/ and compare the result with tests/<case>/expected/')
    .argument('[dir]', 'project directory', '.')
    .option('--update', '(re)write each case\'s expected/ from its run instead of comparing')
    .option('-k <pattern>', 'only the cases whose name contains PATTERN')
    .option('--timeout <seconds>', 'give up on a case after this many seconds', numberFlag('--timeout', 'seconds'), '60')
    .addHelpText(
      'after',
      `
A case is tests/<case>/in/*.yaml (input objects, used instead of the project's in/)
and tests/<case>/expected/ (the tree \`run once --out\` writes). It passes when the run
succeeds and its result equals expected/; a failure prints a unified diff and the
run's report. The last line is "N passed, N failed"; exit code 1 on any failure.

Examples:
  choreoctl test myproject
  choreoctl test myproject -k basic
  choreoctl test myproject --update -k basic
`,
    )
    .action(async (dir: string, o: { update?: boolean; k?: string; timeout: string }) => (await import('../actions/test.js')).testCommand(dir, o));
}
