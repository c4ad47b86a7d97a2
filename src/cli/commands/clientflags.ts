// What the client commands (apply, get, delete, api-resources) share when
// they are registered: the kubectl connection flags (--kubeconfig, --context,
// -n/--namespace) and `clientAction`, which loads a command's implementation
// (src/cli/actions/) only when the command runs, and reports any escaping
// error kubectl-style (actions/client.ts) with exit code 1.

import type { Command } from 'commander';

/** Adds the connection flags; `namespaced` false leaves out -n (api-resources). */
export function addClientFlags(cmd: Command, namespaced = true): Command {
  cmd.option('--kubeconfig <file>', 'kubeconfig to use (default: $KUBECONFIG, else ~/.kube/config, else ~/.kube/choreo.config)').option('--context <name>', 'kubeconfig context to use (default: its current-context)');
  if (namespaced) cmd.option('-n, --namespace <ns>', "namespace (default: the context's namespace, else default)");
  return cmd;
}

/** A command body loaded on first use (`load` is a dynamic import), run with kubectl-style error reporting. */
export function clientAction<A extends unknown[]>(load: () => Promise<(...args: A) => Promise<void>>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const { reportError } = await import('../actions/client.js');
    try {
      const run = await load();
      await run(...args);
    } catch (err) {
      reportError(err);
    }
  };
}
