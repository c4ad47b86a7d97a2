import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { KubeconfigError, kubeconfigFiles, loadRestConfig } from '../../src/client/kubeconfig.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'choreo-kubeconfig-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function write(dir: string, name: string, doc: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof doc === 'string' ? doc : stringify(doc));
  return p;
}

const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

const single = {
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'c1', cluster: { server: 'https://127.0.0.1:6443/', 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
  users: [{ name: 'u1', user: { token: 'secret-1' } }],
  contexts: [
    { name: 'ctx1', context: { cluster: 'c1', user: 'u1', namespace: 'team-a' } },
    { name: 'ctx2', context: { cluster: 'c1', user: 'u1' } },
  ],
  'current-context': 'ctx1',
};

test('a single kubeconfig: current-context picks server, token, CA and namespace', () => {
  withDir((dir) => {
    const f = write(dir, 'config', single);
    const c = loadRestConfig({ kubeconfig: f, env: {} });
    assert.equal(c.server, 'https://127.0.0.1:6443'); // trailing slash dropped
    assert.equal(c.token, 'secret-1');
    assert.equal(c.ca, ca);
    assert.equal(c.namespace, 'team-a');
    assert.equal(c.contextName, 'ctx1');
  });
});

test('--context and --namespace override the kubeconfig; a context without namespace means default', () => {
  withDir((dir) => {
    const f = write(dir, 'config', single);
    assert.equal(loadRestConfig({ kubeconfig: f, context: 'ctx2', env: {} }).namespace, 'default');
    assert.equal(loadRestConfig({ kubeconfig: f, namespace: 'other', env: {} }).namespace, 'other');
    assert.throws(() => loadRestConfig({ kubeconfig: f, context: 'nope', env: {} }), /context "nope" does not exist/);
  });
});

test('KUBECONFIG lists are merged in order: first definition of a name and first current-context win', () => {
  withDir((dir) => {
    const a = write(dir, 'a.yaml', {
      clusters: [{ name: 'shared', cluster: { server: 'http://first:1' } }],
      users: [{ name: 'me', user: { token: 'from-a' } }],
      contexts: [{ name: 'ctx-a', context: { cluster: 'shared', user: 'me' } }],
    });
    const b = write(dir, 'b.yaml', {
      clusters: [
        { name: 'shared', cluster: { server: 'http://second:2' } },
        { name: 'only-b', cluster: { server: 'http://b:3' } },
      ],
      users: [{ name: 'me', user: { token: 'from-b' } }],
      contexts: [{ name: 'ctx-b', context: { cluster: 'shared', user: 'me', namespace: 'nb' } }],
      'current-context': 'ctx-b',
    });
    const missing = join(dir, 'missing.yaml');
    const env = { KUBECONFIG: [a, missing, '', b].join(':') };
    assert.deepEqual(kubeconfigFiles({ env }), [a, b]); // missing and empty entries are skipped
    const c = loadRestConfig({ env });
    assert.equal(c.contextName, 'ctx-b'); // only b sets current-context
    assert.equal(c.server, 'http://first:1'); // but a defined cluster "shared" first
    assert.equal(c.token, 'from-a');
    assert.equal(c.namespace, 'nb');
    // reversed order: b's definitions win
    const r = loadRestConfig({ env: { KUBECONFIG: `${b}:${a}` } });
    assert.equal(r.server, 'http://second:2');
    assert.equal(r.token, 'from-b');
  });
});

test('--kubeconfig beats KUBECONFIG and must exist', () => {
  withDir((dir) => {
    const f = write(dir, 'flag.yaml', single);
    const other = write(dir, 'env.yaml', { ...single, users: [{ name: 'u1', user: { token: 'env' } }] });
    assert.equal(loadRestConfig({ kubeconfig: f, env: { KUBECONFIG: other } }).token, 'secret-1');
    assert.throws(() => loadRestConfig({ kubeconfig: join(dir, 'nope'), env: {} }), (e: unknown) => e instanceof KubeconfigError && /no such file/.test(e.message));
    assert.throws(() => loadRestConfig({ env: { KUBECONFIG: join(dir, 'nope') } }), /none of these files exists/);
  });
});

test('without flag or KUBECONFIG: ~/.kube/config, then ~/.kube/choreo.config', () => {
  withDir((home) => {
    const env = { HOME: home };
    assert.throws(() => loadRestConfig({ env }), /no kubeconfig/);
    mkdirSync(join(home, '.kube'));
    write(home, '.kube/choreo.config', { ...single, clusters: [{ name: 'c1', cluster: { server: 'http://choreo:1' } }] });
    assert.equal(loadRestConfig({ env }).server, 'http://choreo:1');
    write(home, '.kube/config', { ...single, clusters: [{ name: 'c1', cluster: { server: 'http://default:1' } }] });
    assert.equal(loadRestConfig({ env }).server, 'http://default:1');
  });
});

test('file references are resolved relative to the kubeconfig that names them', () => {
  withDir((dir) => {
    mkdirSync(join(dir, 'certs'));
    writeFileSync(join(dir, 'certs', 'ca.pem'), ca);
    writeFileSync(join(dir, 'certs', 'token'), 'tok-from-file\n');
    const f = write(dir, 'config', {
      clusters: [{ name: 'c', cluster: { server: 'https://x:1', 'certificate-authority': 'certs/ca.pem' } }],
      users: [{ name: 'u', user: { tokenFile: 'certs/token' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    });
    const c = loadRestConfig({ kubeconfig: f, env: {} });
    assert.equal(c.ca, ca);
    assert.equal(c.token, 'tok-from-file');
  });
});

test('broken kubeconfigs are reported with the file and entry', () => {
  withDir((dir) => {
    const noCur = write(dir, 'nocur.yaml', { ...single, 'current-context': '' });
    assert.throws(() => loadRestConfig({ kubeconfig: noCur, env: {} }), /no current-context is set/);
    const badCluster = write(dir, 'badcluster.yaml', { ...single, contexts: [{ name: 'ctx1', context: { cluster: 'ghost', user: 'u1' } }] });
    assert.throws(() => loadRestConfig({ kubeconfig: badCluster, env: {} }), /refers to cluster "ghost", which does not exist/);
    const exec = write(dir, 'exec.yaml', { ...single, users: [{ name: 'u1', user: { exec: { command: 'aws' } } }] });
    assert.throws(() => loadRestConfig({ kubeconfig: exec, env: {} }), /exec\/auth-provider plugin/);
    const bad = write(dir, 'bad.yaml', 'clusters: [\n');
    assert.throws(() => loadRestConfig({ kubeconfig: bad, env: {} }), (e: unknown) => e instanceof KubeconfigError && e.message.includes(bad));
  });
});
