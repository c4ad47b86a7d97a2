// `choreoctl apply -f FILE|DIR|-`: its flags and help; the command itself
// (parse every manifest, then server-side apply each object) is in
// ../actions/apply.ts, loaded only when it runs.

import type { Command } from 'commander';
import { numberFlag } from './limits.js';
import { addClientFlags, clientAction } from './clientflags.js';

export function register(program: Command): void {
  const cmd = program
    .command('apply')
    .description('create or update resources from manifests with server-side apply')
    .requiredOption('-f, --filename <path>', 'a manifest file, a directory of .yaml/.yml/.json files, or - for stdin (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('-R, --recursive', 'also read manifests in subdirectories of a -f directory')
    .option('--force-conflicts', 'take ownership of fields another manager owns instead of failing with a conflict')
    .option('--dry-run [strategy]', 'server: ask the server to validate and compute the result without persisting it (none: apply)')
    .option('--field-manager <name>', 'field manager recorded in managedFields', 'choreoctl')
    .option('--crd-timeout <seconds>', 'how long to wait for a CRD applied in the same run to be served', numberFlag('--crd-timeout', 'seconds'), '10');
  addClientFlags(cmd).addHelpText(
    'after',
    `
Examples:
  # Apply a CRD and its instances (one file may hold both; the CRD is waited for)
  choreoctl apply -f crds/widget.yaml -f in/
  # From stdin
  cat widget.yaml | choreoctl apply -f -
  # Take over fields another manager (e.g. kubectl) set
  choreoctl apply -f widget.yaml --force-conflicts`,
  );
  cmd.action(clientAction(async () => (await import('../actions/apply.js')).applyCommand));
}
