// What the client commands (apply, get, delete, api-resources) share: the
// kubectl connection flags (--kubeconfig, --context, -n/--namespace), making
// a client from them, and rendering a failure the way kubectl does —
// `Error from server (Reason): message` for a Status the server sent,
// `error: message` for anything found on this side — with exit code 1.

import type { Command } from 'commander';
import { isApiError } from '../../api/errors.js';
import { UnknownTypeError } from '../../client/discovery.js';
import { HttpClient } from '../../client/httpclient.js';

export interface ClientFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

/** Adds the connection flags; `namespaced` false leaves out -n (api-resources). */
export function addClientFlags(cmd: Command, namespaced = true): Command {
  cmd.option('--kubeconfig <file>', 'kubeconfig to use (default: $KUBECONFIG, else ~/.kube/config, else ~/.kube/choreo.config)').option('--context <name>', 'kubeconfig context to use (default: its current-context)');
  if (namespaced) cmd.option('-n, --namespace <ns>', "namespace (default: the context's namespace, else default)");
  return cmd;
}

export function connect(flags: ClientFlags): Promise<HttpClient> {
  return HttpClient.connect({ kubeconfig: flags.kubeconfig, context: flags.context, namespace: flags.namespace });
}

/** kubectl's rendering of an error; `prefix` (e.g. "file:3:1: ") goes before it. */
export function renderError(err: unknown, prefix = ''): string {
  if (err instanceof UnknownTypeError) return `error: ${prefix}${err.message}`;
  if (isApiError(err)) return `Error from server (${err.reason}): ${prefix}${err.message}`;
  return `error: ${prefix}${err instanceof Error ? err.message : String(err)}`;
}

/** Prints the error and marks the process failed, without throwing (other results still print). */
export function reportError(err: unknown, prefix = ''): void {
  process.stderr.write(renderError(err, prefix) + '\n');
  process.exitCode = 1;
}

/** Runs a command body, reporting any escaping error kubectl-style. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      reportError(err);
    }
  };
}
