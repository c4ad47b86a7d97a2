// The built-in kinds through real kubectl: apply an index and claims, read the
// allocations and the Entries back (`kubectl get asentries`), delete a claim;
// `kubectl apply` prints a claim's allocation from the apply's own response,
// and a claim that cannot be allocated is refused with a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startApiServer } from '../../src/apiserver/server.js';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { kuid, openEnv, statusOf, tempDir } from './helpers.js';

const kubectlBin = process.env.KUBECTL ?? '/usr/bin/kubectl';

test('kubectl sees claims, their allocations and their Entries', { skip: !existsSync(kubectlBin) && 'no kubectl' }, async () => {
  const env = await openEnv();
  const tmp = await tempDir();
  const server = await startApiServer({ store: env.store, registry: env.engine.registry });
  try {
    const kubeconfig = join(tmp.dir, 'kubeconfig');
    writeKubeconfig(kubeconfig, { server: server.url, token: server.token, caCert: server.caCert });
    const kubectl = (args: string[], input?: string) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        const child = execFile(kubectlBin, ['--kubeconfig', kubeconfig, '--cache-dir', join(tmp.dir, 'cache'), ...args], { env: { PATH: process.env.PATH ?? '', HOME: tmp.dir }, timeout: 20_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? 1 : 0, out: String(stdout) + String(stderr) }),
        );
        if (input !== undefined) child.stdin?.end(input);
      });
    const manifest = `apiVersion: as.be.kuid.dev/v1alpha1
kind: ASIndex
metadata: {name: fabric, namespace: default}
spec: {minID: 65000, maxID: 65010}
---
apiVersion: as.be.kuid.dev/v1alpha1
kind: ASClaim
metadata: {name: leaf1, namespace: default}
spec: {index: fabric}
---
apiVersion: as.be.kuid.dev/v1alpha1
kind: ASClaim
metadata: {name: leaf2, namespace: default}
spec: {index: fabric, id: 65005}
`;
    const applied = await kubectl(['apply', '-f', '-'], manifest);
    assert.equal(applied.code, 0, applied.out);
    await env.settle();
    const ids = await kubectl(['get', 'asclaims', '--field-selector', 'metadata.name!=fabric.rangereservedmin,metadata.name!=fabric.rangereservedmax', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.id}:{.status.conditions[0].status} {end}']);
    assert.equal(ids.out.trim(), 'leaf1=65010:True leaf2=65005:True');
    const entries = await kubectl(['get', 'asentries', '-l', 'be.kuid.dev/claim-name notin (fabric.rangereservedmin,fabric.rangereservedmax)', '-o', 'name']);
    assert.equal(entries.out.trim(), 'asentry.as.be.kuid.dev/fabric.65005-32\nasentry.as.be.kuid.dev/fabric.65010-32');
    const byLabel = await kubectl(['get', 'asentries', '-l', 'be.kuid.dev/claim-name=leaf2', '-o', 'jsonpath={.items[*].spec.id}']);
    assert.equal(byLabel.out.trim(), '65005/32');
    assert.equal((await kubectl(['delete', 'asclaim', 'leaf2'])).code, 0);
    await env.settle();
    assert.equal((await kubectl(['get', 'asentries', '-l', 'be.kuid.dev/claim-name notin (fabric.rangereservedmin,fabric.rangereservedmax)', '-o', 'name'])).out.trim(), 'asentry.as.be.kuid.dev/fabric.65010-32');

    // The object the apply returns is already allocated (server-side apply and client-side apply alike).
    const claim = (name: string, spec: string) => `apiVersion: as.be.kuid.dev/v1alpha1\nkind: ASClaim\nmetadata: {name: ${name}, namespace: default}\nspec: ${spec}\n`;
    const ssa = await kubectl(['apply', '--server-side', '-o', 'jsonpath={.status.id}:{.status.conditions[0].status}', '-f', '-'], claim('spine1', '{index: fabric}'));
    assert.deepEqual([ssa.code, ssa.out.trim()], [0, '65008:True']);
    const csa = await kubectl(['apply', '-o', 'jsonpath={.status.id}', '-f', '-'], claim('spine2', '{index: fabric, id: 65007}'));
    assert.deepEqual([csa.code, csa.out.trim()], [0, '65007']);
    // A server-side dry run reports the allocation or the refusal, and reserves nothing.
    const dry = await kubectl(['apply', '--dry-run=server', '-o', 'jsonpath={.status.id}', '-f', '-'], claim('spine5', '{index: fabric}'));
    assert.deepEqual([dry.code, dry.out.trim()], [0, '65006']);
    const dryTaken = await kubectl(['apply', '--dry-run=server', '-f', '-'], claim('spine6', '{index: fabric, id: 65007}'));
    assert.equal(dryTaken.code, 1);
    assert.match(dryTaken.out, /ASClaim default\/spine6 cannot be allocated: id 65007 is already claimed by spine2/);
    assert.equal((await kubectl(['get', 'asclaim', 'spine5'])).code, 1, 'a dry run stores nothing');
    // Refused: taken, outside the index, or exhausted; nothing is stored.
    const taken = await kubectl(['apply', '-f', '-'], claim('spine3', '{index: fabric, id: 65007}'));
    assert.equal(taken.code, 1);
    assert.match(taken.out, /Error from server \(Forbidden\): error when creating "STDIN": ASClaim default\/spine3 cannot be allocated: id 65007 is already claimed by spine2/);
    const outside = await kubectl(['apply', '--server-side', '-f', '-'], claim('spine4', '{index: fabric, id: 70000}'));
    assert.equal(outside.code, 1);
    assert.match(outside.out, /ASClaim default\/spine4 cannot be allocated: id 70000 is outside the index range 65000-65010/);
    const invalid = await kubectl(['apply', '-f', '-'], `apiVersion: as.be.kuid.dev/v1alpha1\nkind: ASIndex\nmetadata: {name: bad, namespace: default}\nspec: {minID: 10, maxID: 5}\n`);
    assert.equal(invalid.code, 1);
    assert.match(invalid.out, /The ASIndex "bad" is invalid: spec.minID: 10 must not exceed spec.maxID 5/);
    assert.equal(statusOf(await env.get(kuid.as, 'ASClaim', 'leaf1')).id, 65010);
    const after = await kubectl(['apply', '-o', 'jsonpath={.status.id}', '-f', '-'], claim('spine5', '{index: fabric}'));
    assert.deepEqual([after.code, after.out.trim()], [0, '65006'], 'the id the dry run showed was not kept from this create');
    await kubectl(['delete', 'asclaim', 'spine5']);
    assert.equal((await kubectl(['get', 'asclaims', '--field-selector', 'metadata.name!=fabric.rangereservedmin,metadata.name!=fabric.rangereservedmax', '-o', 'name'])).out.trim(), 'asclaim.as.be.kuid.dev/leaf1\nasclaim.as.be.kuid.dev/spine1\nasclaim.as.be.kuid.dev/spine2');
  } finally {
    await server.close();
    await env.close();
    await tmp.cleanup();
  }
});
