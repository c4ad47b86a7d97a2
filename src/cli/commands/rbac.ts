// `choreoctl rbac [dir]`: prints the ClusterRole and ClusterRoleBinding a
// kubeconfig-mode runner (`run start --kubeconfig`) needs on a real cluster
// (runner/rbac.ts derives them from the project). Flags only; the
// implementation is imported when the command runs (start-up).
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('rbac')
    .description('print the ClusterRole (+ ClusterRoleBinding) a runner with --kubeconfig needs for this project')
    .argument('[dir]', 'project directory', '.')
    .option('--service-account <ns/name>', 'the ServiceAccount the runner runs as', 'choreo-system/choreo')
    .option('--name <name>', 'name of the ClusterRole and binding (default choreo-<project>)')
    .addHelpText('after', '\nExamples:\n  choreoctl rbac examples/hello | kubectl apply -f -\n')
    .action(async (dir: string, o: { serviceAccount: string; name?: string }) => {
      const [ns, name, ...rest] = o.serviceAccount.split('/');
      if (!ns || !name || rest.length) throw new Error(`--service-account: want namespace/name, got ${JSON.stringify(o.serviceAccount)}`);
      const [{ discoverProject }, { rbacManifests }, { leaseName }, { stringify }] = await Promise.all([
        import('../../runner/project/discover.js'),
        import('../../runner/rbac.js'),
        import('../../runner/serveremote.js'),
        import('../actions/yaml.js'),
      ]);
      const project = await discoverProject(dir);
      for (const e of project.errors) process.stderr.write(`warning: ${e.render()}\n`);
      const docs = rbacManifests(project, { name: o.name ?? leaseName(dir), serviceAccount: { namespace: ns, name } });
      process.stdout.write(docs.map((d) => stringify(d)).join('---\n'));
    });
}
