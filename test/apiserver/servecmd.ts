// A choreoctl with only the `server` command group, for cli.test.ts: it runs
// the real command module exactly as choreoctl does, without depending on
// every other command group compiling at the moment the test runs.
import { Command } from 'commander';
import { register } from '../../src/cli/commands/server.js';

const program = new Command('choreoctl');
register(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
