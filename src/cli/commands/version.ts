// `choreoctl version`: the version from package.json, as `choreoctl -V` prints it.

import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('version')
    .description('print the choreoctl version (also: choreoctl -V, --version)')
    .addHelpText('after', '\nExamples:\n  choreoctl version\n  choreoctl -V\n')
    .action(() => {
      process.stdout.write(`${program.version()}\n`);
    });
}
