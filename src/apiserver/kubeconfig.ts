// Writes a kubeconfig pointing kubectl at a choreo API server, so
// `kubectl --kubeconfig <file> get ...` works without flags. A bearer token and
// the server's self-signed certificate are included when the server uses them;
// the file is written 0600 because it may hold that token.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string; // e.g. http://127.0.0.1:6443
  token?: string;
  /** PEM certificate to trust for an https server (certificate-authority-data). */
  caCert?: string;
  name?: string; // cluster/context/user name (default "choreo")
  namespace?: string;
}

export function kubeconfigYaml(o: KubeconfigOptions): string {
  const name = o.name ?? 'choreo';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: o.server, ...(o.caCert ? { 'certificate-authority-data': Buffer.from(o.caCert).toString('base64') } : {}) } }],
    users: [{ name, user: o.token ? { token: o.token } : {} }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: o.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export function writeKubeconfig(file: string, o: KubeconfigOptions): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, kubeconfigYaml(o), { mode: 0o600 });
}
