// `choreoctl server start`: runs the Kubernetes-compatible API server in the
// foreground over a memory or file store and writes a kubeconfig, so
// `kubectl --kubeconfig <file> get ...` works without flags. Stops cleanly on
// SIGINT/SIGTERM (the file store is flushed and unlocked). Thin: all
// behaviour is in runner/serve.ts (serveApi) and src/apiserver/, imported when
// the command runs (start-up).

import type { Command } from 'commander';
import { numberFlag } from './limits.js';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

interface StartOptions {
  port: string;
  address: string;
  store: string;
  kubeconfig?: string;
  token?: string;
}

export function register(program: Command): void {
  const server = program.command('server').description('the Kubernetes-compatible API server');
  server
    .command('start')
    .description('run the API server in the foreground and write a kubeconfig for kubectl')
    .option('--port <n>', 'port to listen on (0 = any free port)', numberFlag('--port', 'port'), '6443')
    .option('--address <a>', 'address to bind (a non-loopback address requires a bearer token)', '127.0.0.1')
    .option('--store <spec>', 'storage: memory | file:<dir> | etcd://host:port', 'memory')
    .option('--kubeconfig <file>', 'kubeconfig to write (default ~/.kube/choreo.config)')
    .option('--token <token>', 'bearer token to require (generated for non-loopback addresses)')
    .addHelpText('after', '\nExamples:\n  choreoctl server start --port 6443\n  kubectl --kubeconfig ~/.kube/choreo.config get crds\n  choreoctl server start --store file:./data --address 0.0.0.0 --token s3cret\n')
    .action(async (o: StartOptions) => {
      const port = Number(o.port);
      const kubeconfig = resolve(o.kubeconfig ?? join(homedir(), '.kube', 'choreo.config'));
      const { serveApi } = await import('../../runner/serve.js');
      await serveApi({ store: o.store, address: o.address, port, token: o.token, kubeconfig, log: (l) => process.stdout.write(`${l}\n`) });
      process.exit(0);
    });
}
