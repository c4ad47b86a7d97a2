#!/usr/bin/env node
// choreoctl: the command-line entry point. Each command group lives in its own
// module under src/cli/commands/ and registers itself on the root program here;
// the commands are thin — all behaviour is in runner/, apiserver/ and starlark/.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { commandGroups } from './commands/index.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('choreoctl')
    .description('choreo: an API-first reconciliation engine (KRM CRDs + Starlark reconcilers)')
    .version(pkg.version)
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  for (const register of commandGroups) register(program);
  return program;
}

// `choreoctl ... | head` closes our stdout early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

buildProgram().parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
