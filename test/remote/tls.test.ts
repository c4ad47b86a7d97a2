// Kubeconfig mode against a server that requires a bearer token over TLS
// (`server start --token`: HTTPS with a self-signed certificate its kubeconfig
// trusts through certificate-authority-data).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { choreoctl, eventually, examples, startCluster } from './cluster.js';

test('run once and run start --kubeconfig work against a token + TLS server; a wrong token or an untrusted certificate is a clear error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'choreo-tls-'));
  const cluster = await startCluster(dir, { token: 's3cret-token' });
  const project = join(dir, 'hello');
  try {
    assert.match(cluster.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    await cp(join(examples, 'hello'), project, { recursive: true });
    const kc = parse(await readFile(cluster.kubeconfig, 'utf8')) as { clusters: Array<{ cluster: Record<string, unknown> }>; users: Array<{ user: Record<string, unknown> }> };
    assert.ok(kc.clusters[0]!.cluster['certificate-authority-data'], 'the kubeconfig trusts the self-signed certificate');
    assert.equal(kc.users[0]!.user.token, 's3cret-token');

    assert.match(await choreoctl('run', 'once', project, '--kubeconfig', cluster.kubeconfig), /run succeeded/);
    assert.equal(await cluster.kubectl('get', 'greetings', '-o', 'jsonpath={.items[*].metadata.name}'), 'team-carol world-alice world-bob');

    // The long-running runner with leader election over TLS.
    await choreoctl('run', 'start', project, '--kubeconfig', cluster.kubeconfig);
    await writeFile(join(dir, 'extra.yaml'), 'apiVersion: example.com/v1alpha1\nkind: HelloWorld\nmetadata:\n  name: extra\nspec:\n  recipients: [Dave]\n');
    await cluster.kubectl('apply', '-f', join(dir, 'extra.yaml'));
    const greetings = () => cluster.kubectl('get', 'greetings', '-o', 'jsonpath={.items[*].metadata.name}');
    assert.match(await eventually(greetings, (s) => s.includes('extra-dave')), /extra-dave/);
    assert.match(await choreoctl('run', 'stop', project), /stopped/);

    const wrongToken = join(dir, 'wrong-token.kubeconfig');
    await writeFile(wrongToken, stringify({ ...kc, users: [{ ...kc.users[0], user: { token: 'nope' } }] }));
    await assert.rejects(choreoctl('run', 'once', project, '--kubeconfig', wrongToken), /Unauthorized/i);

    const noCa = join(dir, 'no-ca.kubeconfig');
    await writeFile(noCa, stringify({ ...kc, clusters: [{ ...kc.clusters[0], cluster: { server: cluster.url } }] }));
    await assert.rejects(choreoctl('run', 'once', project, '--kubeconfig', noCa), /certificate/i);
  } finally {
    await choreoctl('run', 'stop', project).catch(() => '');
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
