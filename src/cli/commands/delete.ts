// `choreoctl delete <type> <name>...` or `delete -f FILE|DIR|-`: its flags and
// help; the command itself (delete, then wait until gone) is in
// ../actions/delete.ts, loaded only when it runs.

import type { Command } from 'commander';
import { numberFlag } from './limits.js';
import { addClientFlags, clientAction } from './clientflags.js';

export function register(program: Command): void {
  const cmd = program
    .command('delete')
    .description('delete resources by type and name')
    .argument('[type]', 'resource type: plural, singular, kind or short name, optionally .group (or type/name)')
    .argument('[name...]', 'names of the objects to delete')
    .option('-f, --filename <path>', 'delete the objects in a manifest file, a directory of them, or - for stdin (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('-R, --recursive', 'also read manifests in subdirectories of a -f directory')
    .option('--wait', 'wait until the objects are gone (finalizers done) before returning (default)', true)
    .option('--no-wait', 'return as soon as deletion has started')
    .option('--timeout <seconds>', 'how long --wait waits per object', numberFlag('--timeout', 'seconds'), '60')
    .option('--cascade <policy>', 'dependents: background|foreground|orphan', 'background')
    .option('--ignore-not-found', 'treat an object that does not exist as deleted');
  addClientFlags(cmd).addHelpText(
    'after',
    `
Examples:
  choreoctl delete widget my-widget
  choreoctl delete wd a b c -n team-a
  choreoctl delete widgets/a --no-wait
  choreoctl delete -f in/
  choreoctl delete topology t1 --cascade=foreground --timeout 120`,
  );
  cmd.action(clientAction(async () => (await import('../actions/delete.js')).deleteCommand));
}
