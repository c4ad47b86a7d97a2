import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KObject } from '../../src/api/object.js';
import { describeRecovery, FileStore } from '../../src/store/file.js';
import { StoreError, type ObjectKey } from '../../src/store/store.js';
import { runStoreConformance } from './conformance.js';
import { child } from '../helpers/child.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'choreo-store-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

runStoreConformance('file', async (opts) => FileStore.open(await tempDir(), opts));

const key = (name: string, namespace = 'd'): ObjectKey => ({ resource: 'core/configmaps', namespace, name });
const cm = (name: string, data: Record<string, string> = {}): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'd' }, data });
const storeModule = new URL('../../src/store/file.js', import.meta.url).href;

describe('file store durability', () => {
  test('reopening keeps every object, its resourceVersion and the watch history; revisions keep increasing', async () => {
    const dir = await tempDir();
    let s = await FileStore.open(dir);
    const a = await s.create(key('a'), cm('a', { v: '1' }));
    const b = await s.create(key('b', 'other'), cm('b'));
    const a2 = await s.update(key('a'), cm('a', { v: '2' }));
    await s.create(key('c'), cm('c'));
    const cDel = await s.delete(key('c'));
    const before = await s.list({ resource: 'core/configmaps' });
    await s.close();

    s = await FileStore.open(dir);
    assert.equal(s.recovery.truncatedBytes, 0);
    assert.deepEqual(await s.list({ resource: 'core/configmaps' }), before);
    assert.deepEqual(await s.get(key('a')), a2);
    assert.deepEqual(await s.get(key('b', 'other')), b);
    assert.equal(await s.currentRevision(), cDel.metadata.resourceVersion);
    const d = await s.create(key('d'), cm('d'));
    assert.ok(Number(d.metadata.resourceVersion) > Number(cDel.metadata.resourceVersion));
    // History since the snapshot survives: a watch can resume from before the restart.
    const events: string[] = [];
    const w = s.watch({ resource: 'core/configmaps' }, { resourceVersion: a.metadata.resourceVersion }, (ev) => events.push(`${ev.type} ${ev.object.metadata.name}`));
    await new Promise((r) => setTimeout(r, 20));
    w.stop();
    assert.deepEqual(events, ['ADDED b', 'MODIFIED a', 'ADDED c', 'DELETED c', 'ADDED d']);
    await s.close();
  });

  test('compaction writes a snapshot, empties the log and loses nothing across reopen', async () => {
    const dir = await tempDir();
    let s = await FileStore.open(dir, { compactAfterBytes: 4096 });
    for (let i = 0; i < 60; i++) await s.create(key(`o${i}`), cm(`o${i}`, { payload: 'x'.repeat(100) }));
    for (let i = 0; i < 60; i += 3) await s.delete(key(`o${i}`));
    assert.ok((await fs.stat(path.join(dir, 'snapshot'))).size > 0, 'automatic compaction wrote a snapshot');
    await s.compact();
    assert.equal((await fs.stat(path.join(dir, 'log'))).size, 0);
    const last = await s.update(key('o1'), cm('o1', { after: 'compaction' }));
    const before = await s.list({ resource: 'core/configmaps' });
    assert.equal(before.items.length, 40);
    await s.close();

    s = await FileStore.open(dir);
    assert.equal(s.recovery.replayedRecords, 1);
    assert.deepEqual(await s.list({ resource: 'core/configmaps' }), before);
    assert.equal(await s.currentRevision(), last.metadata.resourceVersion);
    // A deletion after the snapshot still advances the revision past the snapshot's.
    const del = await s.delete(key('o2'));
    assert.equal(Number(del.metadata.resourceVersion), Number(last.metadata.resourceVersion) + 1);
    await s.close();
    s = await FileStore.open(dir);
    assert.equal(await s.currentRevision(), del.metadata.resourceVersion);
    assert.equal(await s.get(key('o2')), undefined);
    await s.close();
  });

  for (const damage of ['torn', 'corrupt'] as const) {
    test(`a ${damage} tail record is cut off on open and the store stays usable`, async () => {
      const dir = await tempDir();
      let s = await FileStore.open(dir);
      await s.create(key('a'), cm('a'));
      const b = await s.create(key('b'), cm('b'));
      await s.create(key('c'), cm('c', { last: 'record' }));
      await s.close();
      const logFile = path.join(dir, 'log');
      const log = await fs.readFile(logFile);
      const lastStart = log.lastIndexOf(Buffer.from('{"rev":3')) - 8;
      if (damage === 'torn') await fs.writeFile(logFile, log.subarray(0, lastStart + 20));
      else {
        log[log.length - 5] ^= 0xff;
        await fs.writeFile(logFile, log);
      }

      s = await FileStore.open(dir);
      assert.equal(s.recovery.truncatedBytes, damage === 'torn' ? 20 : log.length - lastStart);
      assert.match(s.recovery.problem ?? '', damage === 'torn' ? /cut short/ : /checksum/);
      assert.deepEqual([s.recovery.droppedRecords, s.recovery.droppedRevisions, s.recovery.lastRevision], [1, [3], 2]);
      assert.match(describeRecovery(dir, s.recovery) ?? '', /dropped \d+ bytes \(1 incomplete record, resourceVersion 3\); the store continues at the last intact resourceVersion 2\b/);
      assert.equal((await fs.stat(logFile)).size, lastStart, 'the log is truncated to the last intact record');
      assert.deepEqual((await s.list({ resource: 'core/configmaps' })).items.map((o) => o.metadata.name), ['a', 'b']);
      assert.equal(await s.currentRevision(), b.metadata.resourceVersion);
      const c = await s.create(key('c'), cm('c'));
      assert.equal(c.metadata.resourceVersion, '3');
      await s.close();
      s = await FileStore.open(dir);
      assert.equal(s.recovery.truncatedBytes, 0);
      assert.equal(describeRecovery(dir, s.recovery), undefined, 'a clean open reports nothing');
      assert.deepEqual(await s.get(key('c')), c);
      await s.close();
    });
  }

  test('damage in the middle of the log is refused, not truncated away', async () => {
    const dir = await tempDir();
    const s = await FileStore.open(dir);
    for (const n of ['a', 'b', 'c']) await s.create(key(n), cm(n));
    await s.close();
    const logFile = path.join(dir, 'log');
    const log = await fs.readFile(logFile);
    log[log.indexOf(Buffer.from('{"rev":2')) + 20] ^= 0xff;
    await fs.writeFile(logFile, log);
    await assert.rejects(FileStore.open(dir), (err: unknown) => err instanceof StoreError && /corrupt in the middle .*checksum mismatch/.test(err.message));
    assert.equal((await fs.stat(logFile)).size, log.length, 'the log is left as it was');
    // The failed open released the lock: after repair (here: cutting the damage) it opens.
    await fs.writeFile(logFile, log.subarray(0, log.indexOf(Buffer.from('{"rev":2')) - 8));
    const repaired = await FileStore.open(dir);
    assert.equal(await repaired.currentRevision(), '1');
    await repaired.close();
  });

  test('a second open of the same directory fails with a clear error, in this process or another', async () => {
    const dir = await tempDir();
    const s = await FileStore.open(dir);
    await assert.rejects(FileStore.open(dir), (err: unknown) => err instanceof StoreError && err.code === 'Unavailable' && /in use by process \d+ \(this process\)/.test(err.message));
    await s.close();

    const holder = child(`import { FileStore } from ${JSON.stringify(storeModule)};
      await FileStore.open(${JSON.stringify(dir)});
      console.log('ready');
      setInterval(() => {}, 1000);`);
    try {
      await holder.waitForLines(1);
      await assert.rejects(FileStore.open(dir), (err: unknown) => err instanceof StoreError && err.message.includes(`in use by process ${holder.proc.pid}`));
    } finally {
      holder.proc.kill('SIGKILL');
      await holder.exited;
    }
    // The killed holder left a stale lock behind; it is taken over.
    const again = await FileStore.open(dir);
    await again.close();
  });

  test('group commit: the writes callers issue on being acknowledged join the next append, with those queued meanwhile', async () => {
    const s = await FileStore.open(await tempDir());
    try {
      const before = s.stats.fsyncs;
      // a and b are acknowledged by the first append and then write again (as a reconcile
      // writes its status after its children); c is queued while that append is on its way.
      const a = s.create(key('a'), cm('a')).then(() => s.update(key('a'), cm('a', { v: '2' })));
      const b = s.create(key('b'), cm('b')).then(() => s.update(key('b'), cm('b', { v: '2' })));
      await new Promise((r) => setImmediate(r));
      const c = s.create(key('c'), cm('c'));
      await Promise.all([a, b, c]);
      assert.equal(s.stats.records, 5);
      assert.equal(s.stats.fsyncs - before, 2, 'a + b, then c with the updates of a and b');
    } finally {
      await s.close();
    }
  });

  test('kill -9 at random moments loses no acknowledged write and never corrupts the store', async () => {
    const dir = await tempDir();
    for (let round = 0; round < 4; round++) {
      // Eight concurrent writers (so group commit batches them) with frequent compaction,
      // printing every acknowledged write; the child is killed mid-stream.
      const writer = child(`import { FileStore } from ${JSON.stringify(storeModule)};
        const s = await FileStore.open(${JSON.stringify(dir)}, { compactAfterBytes: 16384 });
        const key = (name) => ({ resource: 'core/configmaps', namespace: 'crash', name });
        const obj = (name, v) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'crash' }, data: { v, pad: 'p'.repeat(200) } });
        let n = 0;
        async function run(w) {
          for (;;) {
            const doomed = n % 3 === 0;
            const name = 'r${round}-w' + w + '-' + n++ + (doomed ? '-doomed' : '');
            const c = await s.create(key(name), obj(name, '1'));
            process.stdout.write('C ' + name + ' ' + c.metadata.resourceVersion + '\\n');
            const u = await s.update(key(name), obj(name, '2'), { expectedResourceVersion: c.metadata.resourceVersion });
            process.stdout.write('U ' + name + ' ' + u.metadata.resourceVersion + '\\n');
            if (doomed) {
              const d = await s.delete(key(name));
              process.stdout.write('D ' + name + ' ' + d.metadata.resourceVersion + '\\n');
            }
          }
        }
        for (let w = 0; w < 8; w++) run(w);`);
      await writer.waitForLines(20);
      await new Promise((r) => setTimeout(r, Math.random() * 250));
      writer.proc.kill('SIGKILL');
      await writer.exited;

      const acked = new Map<string, { op: string; rev: number }[]>();
      let maxRev = 0;
      for (const line of writer.output().split('\n').slice(0, -1)) {
        const [op, name, rev] = line.split(' ');
        acked.set(name, [...(acked.get(name) ?? []), { op, rev: Number(rev) }]);
        maxRev = Math.max(maxRev, Number(rev));
      }
      assert.ok(acked.size > 0, `round ${round}: child acknowledged writes (stderr: ${writer.errors()})`);

      const s = await FileStore.open(dir);
      assert.ok(Number(await s.currentRevision()) >= maxRev, `round ${round}: revision ${await s.currentRevision()} < acknowledged ${maxRev}`);
      for (const [name, ops] of acked) {
        const stored = await s.get({ resource: 'core/configmaps', namespace: 'crash', name });
        const last = ops.at(-1)!;
        if (last.op === 'D' || (name.endsWith('-doomed') && !stored)) {
          // An acknowledged delete must stick; an unacknowledged one may or may not have.
          assert.equal(stored, undefined, `${name} was deleted`);
          continue;
        }
        assert.ok(stored, `round ${round}: acknowledged ${last.op} of ${name}@${last.rev} is missing`);
        assert.ok(Number(stored.metadata.resourceVersion) >= last.rev, `${name} is at least as new as acknowledged`);
        if (last.op === 'U') assert.equal((stored.data as Record<string, string>).v, '2');
      }
      // The recovered store accepts writes at a later revision.
      const next = await s.create({ resource: 'core/configmaps', namespace: 'crash', name: `after-${round}` }, cm(`after-${round}`));
      assert.ok(Number(next.metadata.resourceVersion) > maxRev);
      await s.close();
    }
  });
});
