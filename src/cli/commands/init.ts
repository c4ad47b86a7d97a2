// `choreoctl init <dir>`: its flags and help; the scaffold itself is
// runner/scaffold.ts, loaded by ../actions/init.ts only when it runs.

import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('init')
    .description('write a new working project (CRD, reconciler, input, a golden test case): run once and test pass at once')
    .argument('<dir>', 'directory for the project (created; must not hold a project)')
    .option('--group <group>', 'API group of the new kind', 'example.com')
    .option('--kind <kind>', 'the new kind (UpperCamelCase)', 'App')
    .addHelpText('after', '\nExamples:\n  choreoctl init myproject\n  choreoctl init netproj --group net.example.org --kind Network\n  choreoctl run once myproject && choreoctl test myproject\n')
    .action(async (dir: string, o: { group: string; kind: string }) => (await import('../actions/init.js')).initCommand(dir, o));
}
