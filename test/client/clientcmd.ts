// A choreoctl with only the client command groups (apply, get, delete,
// api-resources), for the tests in this folder: it registers the real command
// modules exactly as src/cli/main.ts does, so the tests do not depend on every
// other command group compiling at the moment they run (the same approach as
// test/apiserver/servecmd.ts).
import { Command } from 'commander';
import { register as registerApply } from '../../src/cli/commands/apply.js';
import { register as registerGet } from '../../src/cli/commands/get.js';
import { register as registerDelete } from '../../src/cli/commands/delete.js';
import { register as registerApiResources } from '../../src/cli/commands/apiresources.js';

const program = new Command('choreoctl').showHelpAfterError();
for (const register of [registerApply, registerGet, registerDelete, registerApiResources]) register(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
