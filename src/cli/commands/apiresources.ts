// `choreoctl api-resources`: its flags and help; the command itself is in
// ../actions/apiresources.ts, loaded only when it runs.

import type { Command } from 'commander';
import { addClientFlags, clientAction } from './clientflags.js';

export function register(program: Command): void {
  const cmd = program
    .command('api-resources')
    .description('list the resource types the server serves')
    .option('-o, --output <format>', 'wide (adds VERBS and CATEGORIES) | name')
    .option('--namespaced <bool>', 'only namespaced (true) or cluster-scoped (false) types')
    .option('--api-group <group>', 'only this API group ("" for the core group)');
  addClientFlags(cmd, false).addHelpText(
    'after',
    `
Examples:
  choreoctl api-resources
  choreoctl api-resources --api-group example.com -o wide
  choreoctl api-resources --namespaced=false -o name`,
  );
  cmd.action(clientAction(async () => (await import('../actions/apiresources.js')).apiResourcesCommand));
}
