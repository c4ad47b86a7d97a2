// A server on the file backend restarted over the same directory: every
// object comes back with its resourceVersion, stored CRDs are served again
// before the first request, and revisions keep increasing.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileStore } from '../../src/store/file.js';
import { Harness } from './helpers.js';
import { widget, widgetCrd } from './fixtures.js';

describe('restart on the file backend', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'choreo-apiserver-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every object and resourceVersion across a restart', async () => {
    const first = await Harness.start({ store: await FileStore.open(dir) });
    let before: { items: { metadata: { name: string; resourceVersion: string; uid: string } }[] };
    let nsBefore: string;
    try {
      await first.ok(['apply', '-f', first.file('crd.yaml', widgetCrd)]);
      await first.ok(['create', 'namespace', 'team-a']);
      for (const n of ['r1', 'r2', 'r3']) await first.ok(['apply', '-n', 'team-a', '-f', first.file(`${n}.yaml`, widget(n, '  size: 2'))]);
      await first.ok(['patch', '-n', 'team-a', 'widget', 'r2', '--type', 'merge', '-p', '{"spec":{"size":7}}']);
      await first.ok(['delete', '-n', 'team-a', 'widget', 'r3']);
      before = JSON.parse(await first.ok(['get', '-n', 'team-a', 'widgets', '-o', 'json']));
      nsBefore = await first.ok(['get', 'ns', 'team-a', '-o', 'jsonpath={.metadata.uid}/{.metadata.resourceVersion}']);
    } finally {
      await first.close();
    }

    const second = await Harness.start({ store: await FileStore.open(dir) });
    try {
      const now = JSON.parse(await second.ok(['get', '-n', 'team-a', 'widgets', '-o', 'json']));
      const pick = (l: typeof before) => l.items.map((o) => [o.metadata.name, o.metadata.uid, o.metadata.resourceVersion]);
      assert.deepEqual(pick(now), pick(before));
      assert.deepEqual(pick(now).map((x) => x[0]), ['r1', 'r2']);
      assert.equal(await second.ok(['get', 'ns', 'team-a', '-o', 'jsonpath={.metadata.uid}/{.metadata.resourceVersion}']), nsBefore);
      assert.equal(await second.ok(['get', '-n', 'team-a', 'widget', 'r2', '-o', 'jsonpath={.spec.size}']), '7');
      const maxBefore = Math.max(...before.items.map((o) => Number(o.metadata.resourceVersion)));
      await second.ok(['apply', '-n', 'team-a', '-f', second.file('r4.yaml', widget('r4', '  size: 1'))]);
      const rv = Number(await second.ok(['get', '-n', 'team-a', 'widget', 'r4', '-o', 'jsonpath={.metadata.resourceVersion}']));
      assert.ok(rv > maxBefore, `${rv} > ${maxBefore}`);
    } finally {
      await second.close();
    }
  });
});
