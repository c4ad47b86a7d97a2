// `choreoctl get <type> [name...]`: its flags and help; the command itself
// (discovery, table/yaml/json printing, -w) is in ../actions/get.ts, loaded
// only when it runs.

import type { Command } from 'commander';
import { outputs } from './getformats.js';
import { addClientFlags, clientAction } from './clientflags.js';

export function register(program: Command): void {
  const cmd = program
    .command('get')
    .description('display one or many resources')
    .argument('<type>', 'resource type: plural, singular, kind or short name, optionally .group (or type/name)')
    .argument('[name...]', 'names of the objects (all objects when omitted)')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('-o, --output <format>', `output format: ${outputs.join('|')}`, 'table')
    .option('-l, --selector <selector>', 'label selector, e.g. app=web,tier!=db')
    .option('-w, --watch', 'after listing, watch for changes and print them (Ctrl-C to stop)');
  addClientFlags(cmd).addHelpText(
    'after',
    `
Examples:
  choreoctl get crds
  choreoctl get widgets -A -o wide
  choreoctl get wd my-widget -o yaml
  choreoctl get widget.example.com -l app=web -n team-a
  choreoctl get widgets -w`,
  );
  cmd.action(clientAction(async () => (await import('../actions/get.js')).getCommand));
}
