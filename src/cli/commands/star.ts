// `choreoctl star`: run a Starlark file, run chunked Starlark test files, or
// an interactive session (`star repl`, src/cli/actions/repl.ts).
//
// `star run FILE` executes a file the way a reconciler library would be loaded
// (print to stdout; on error the positioned message or the Starlark traceback
// to stderr and exit code 1). `star test FILE...` runs starlark-go style
// chunked test files (see src/starlark/testing/) and prints one
// `FILE:LINE: message` line per failure followed by `N passed, N failed`.
// The command is thin: all behaviour lives in src/starlark/testing/, imported
// when the command runs (so `choreoctl --version` does not load the interpreter).

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { DIALECT_OPTIONS, type DialectOption } from '../../starlark/testing/dialectoptions.js';
import type { FileReport } from '../../starlark/testing/runner.js';
import { limitOptions, type LimitFlags } from './limits.js';

function collectOption(value: string, previous: DialectOption[]): DialectOption[] {
  if (!(DIALECT_OPTIONS as readonly string[]).includes(value)) {
    throw new Error(`unknown dialect option ${JSON.stringify(value)} (want one of ${DIALECT_OPTIONS.join(', ')})`);
  }
  return [...previous, value as DialectOption];
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${file}: no such file` : `${file}: ${(err as Error).message}`);
  }
}

export function register(program: Command): void {
  const star = program
    .command('star')
    .description('run Starlark programs and Starlark test files')
    .addHelpText(
      'after',
      `
Examples:
  choreoctl star run hello.star
  choreoctl star run --option recursion fib.star
  choreoctl star test test/starlark/*.star`,
    );

  limitOptions(star
    .command('run')
    .description('execute a Starlark file: print() goes to stdout, errors (with a Starlark traceback) to stderr')
    .argument('<file>', 'the .star file to execute')
    .option('-o, --option <name>', `enable a dialect option (${DIALECT_OPTIONS.join(', ')}); repeatable`, collectOption, []), 'the run (as for a reconcile)')
    .addHelpText(
      'after',
      `
The file may load("json.star", "json"), load("math.star", "math"),
load("time.star", "time"), and other .star files relative to its directory.
The exit code is 1 if the file has a syntax error or fails at run time.
The run has the step and memory limits of a reconcile; raise them with
--max-steps and --max-memory.

Examples:
  choreoctl star run hello.star
  choreoctl star run -o while -o toplevelcontrol script.star`,
    )
    .action(async (file: string, opts: LimitFlags & { option: DialectOption[] }) => {
      const src = readSource(file);
      const [{ runStarlarkFile }, { memoryExceededPrefix }] = await Promise.all([import('../../starlark/testing/host.js'), import('../../starlark/index.js')]);
      const limits = { maxSteps: opts.maxSteps, maxAllocs: opts.maxMemory * 2 ** 20 };
      let err = runStarlarkFile(file, src, new Set(opts.option), (msg) => process.stdout.write(`${msg}\n`), limits);
      if (err !== null) {
        if (err.includes('Starlark computation cancelled: too many steps')) err += `\n(the step budget is ${opts.maxSteps}; raise it with --max-steps)`;
        if (err.includes(memoryExceededPrefix)) err += `\n(raise the memory limit with --max-memory)`;
        process.stderr.write(`${err}\n`);
        process.exitCode = 1;
      }
    });

  star
    .command('repl')
    .description('an interactive Starlark session: statements and expressions, values printed')
    .option('--project <dir>', 'load this project in memory: its libraries load() by name, the host API (client_get, client_list, ...) reads its CRDs and in/ objects')
    .option('-o, --option <name>', `enable a dialect option (${DIALECT_OPTIONS.join(', ')}); repeatable`, collectOption, [])
    .addHelpText(
      'after',
      `
An expression's value is printed as repr (None is not). A line ending in ":"
starts a block, ended by a blank line; open brackets continue on the next line.
Names bound by earlier inputs stay bound and may be bound again.
On a terminal: line editing and history; Ctrl-C drops the input, Ctrl-D exits.
Not on a terminal: stdin is read to its end, errors go to stderr, exit code 0.

Examples:
  choreoctl star repl
  choreoctl star repl --project examples/hello
  echo 'load("json.star", "json")
json.encode({"a": [1, 2]})' | choreoctl star repl`,
    )
    .action(async (opts: { project?: string; option: DialectOption[] }) => {
      const { repl } = await import('../actions/repl.js');
      await repl(opts);
    });

  star
    .command('test')
    .description('run chunked Starlark test files (starlark-go testdata convention)')
    .argument('<files...>', 'chunked .star test files')
    .option('--print', 'show the output of print() calls in the chunks')
    .addHelpText(
      'after',
      `
A test file is split into independent chunks at lines that are exactly "---".
A chunk passes if it runs without error, except that a line containing
  ### "regex"
expects an error reported at that line whose message matches regex.
"option:NAME" in a chunk enables a dialect option (${DIALECT_OPTIONS.join(', ')}).
Chunks may load("assert.star", "assert", "freeze") for assert.eq, ne, true, lt,
contains, fails(fn, regex) and fail; json.star, math.star and time.star load
those modules; struct(**kwargs) is predeclared.

Each failure is printed as FILE:LINE: message, then a last line
"N passed, N failed" counting chunks. The exit code is 1 if any chunk failed.

Examples:
  choreoctl star test test/starlark/string.star
  choreoctl star test test/starlark/*.star`,
    )
    .action(async (files: string[], opts: { print?: boolean }) => {
      const { runChunkedText, summary } = await import('../../starlark/testing/runner.js');
      const reports: FileReport[] = [];
      for (const file of files) {
        const report = runChunkedText(file, readSource(file), opts.print ? { print: (msg) => process.stdout.write(`${msg}\n`) } : {});
        for (const f of report.failures) process.stdout.write(`${file}:${f.line}: ${f.message}\n`);
        reports.push(report);
      }
      process.stdout.write(`${summary(reports)}\n`);
      if (reports.some((r) => r.failed > 0)) process.exitCode = 1;
    });
}
