// What the client commands (apply, get, delete, api-resources) do once they
// run: make a client from the kubectl connection flags, and render a failure
// the way kubectl does — `Error from server (Reason): message` for a Status
// the server sent, `error: message` for anything found on this side — with
// exit code 1. (The flags themselves are declared in commands/clientflags.ts.)

import { isApiError } from '../../api/errors.js';
import { UnknownTypeError } from '../../client/discovery.js';
import { HttpClient } from '../../client/httpclient.js';

export interface ClientFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
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
