// The Store conformance suite: every backend (memory, file, etcd) registers these
// node:test tests through runStoreConformance and must pass all of them. Each test
// opens a fresh empty store and closes it. `open({ historySize })` asks for a
// small event window so Gone can be provoked; a backend whose history is governed
// otherwise (etcd compaction) must make the window that small by its own means.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/object.js';
import { StoreError, type ListScope, type ObjectKey, type Store, type WatchEvent } from '../../src/store/store.js';

export type OpenStore = (opts?: { historySize?: number }) => Promise<Store>;

const CM = 'core/configmaps';
const SECRETS = 'core/secrets';

function key(namespace: string, name: string, resource = CM): ObjectKey {
  return { resource, namespace, name };
}

function cm(namespace: string, name: string, data: Record<string, string> = {}): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: { app: 'demo' } }, data };
}

function rv(obj: KObject): number {
  const v = obj.metadata.resourceVersion;
  assert.match(v ?? '', /^\d+$/, 'resourceVersion is a decimal revision');
  return Number(v);
}

function names(items: KObject[]): string[] {
  return items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
}

async function rejectsWith(p: Promise<unknown>, code: StoreError['code']): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof StoreError && err.code === code);
}

/** Collects a watch's events; waitFor(n) resolves once n have arrived (or fails after 3 s). */
function collect(store: Store, scope: ListScope, resourceVersion?: string) {
  const events: WatchEvent[] = [];
  const errors: StoreError[] = [];
  let wake = () => {};
  const w = store.watch(
    scope,
    { resourceVersion },
    (ev) => {
      events.push(ev);
      wake();
    },
    (err) => {
      errors.push(err);
      wake();
    },
  );
  return {
    events,
    errors,
    stop: () => w.stop(),
    /** Undefined when the store does not offer progress requests. */
    requestProgress: w.requestProgress && (() => w.requestProgress!()),
    async waitFor(n: number, what = 'events'): Promise<void> {
      const deadline = Date.now() + 3000;
      while (events.length + errors.length < n) {
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${n} ${what}, got ${events.length} events, ${errors.length} errors`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

function summary(ev: WatchEvent): string {
  return `${ev.type} ${ev.object.metadata.namespace}/${ev.object.metadata.name}@${ev.object.metadata.resourceVersion}`;
}

export function runStoreConformance(name: string, open: OpenStore): void {
  /** Runs `fn` against a fresh store and always closes it. */
  const withStore = (fn: (s: Store) => Promise<void>, opts?: { historySize?: number }) => async () => {
    const s = await open(opts);
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  };

  describe(`Store conformance: ${name}`, () => {
    test('create returns the stored object with a resourceVersion; get returns it; the input is not modified', withStore(async (s) => {
      const input = cm('default', 'a', { x: '1' });
      const created = await s.create(key('default', 'a'), input);
      assert.equal(input.metadata.resourceVersion, undefined, 'caller object untouched');
      assert.ok(rv(created) > 0);
      assert.deepEqual({ ...created, metadata: { ...created.metadata, resourceVersion: undefined } }, { ...input, metadata: { ...input.metadata, resourceVersion: undefined } });
      assert.deepEqual(await s.get(key('default', 'a')), created);
      assert.equal(await s.get(key('default', 'missing')), undefined);
      assert.equal(await s.get(key('other', 'a')), undefined, 'namespace is part of the key');
      assert.equal(await s.get(key('default', 'a', SECRETS)), undefined, 'resource is part of the key');
    }));

    test('AlreadyExists on duplicate create, NotFound on update/delete of a missing object', withStore(async (s) => {
      await s.create(key('default', 'a'), cm('default', 'a'));
      await rejectsWith(s.create(key('default', 'a'), cm('default', 'a')), 'AlreadyExists');
      await rejectsWith(s.update(key('default', 'b'), cm('default', 'b')), 'NotFound');
      await rejectsWith(s.delete(key('default', 'b')), 'NotFound');
      // The same name in another namespace or resource is a different object.
      await s.create(key('other', 'a'), cm('other', 'a'));
      await s.create(key('default', 'a', SECRETS), cm('default', 'a'));
    }));

    test('update and delete with a stale resourceVersion fail with Conflict and change nothing', withStore(async (s) => {
      const v1 = await s.create(key('default', 'a'), cm('default', 'a', { n: '1' }));
      const v2 = await s.update(key('default', 'a'), cm('default', 'a', { n: '2' }), { expectedResourceVersion: v1.metadata.resourceVersion });
      assert.ok(rv(v2) > rv(v1));
      assert.deepEqual(v2.data, { n: '2' });
      await rejectsWith(s.update(key('default', 'a'), cm('default', 'a', { n: '3' }), { expectedResourceVersion: v1.metadata.resourceVersion }), 'Conflict');
      await rejectsWith(s.delete(key('default', 'a'), { expectedResourceVersion: v1.metadata.resourceVersion }), 'Conflict');
      assert.deepEqual(await s.get(key('default', 'a')), v2);
      assert.equal(await s.currentRevision(), v2.metadata.resourceVersion, 'failed writes use no revision');
      // Without a precondition the last writer wins.
      const v3 = await s.update(key('default', 'a'), cm('default', 'a', { n: '3' }));
      assert.deepEqual(v3.data, { n: '3' });
      await s.delete(key('default', 'a'), { expectedResourceVersion: v3.metadata.resourceVersion });
      assert.equal(await s.get(key('default', 'a')), undefined);
    }));

    test('a write refused because of a concurrent write is refused only once a read shows that write', withStore(async (s) => {
      // What every read-modify-write retry loop relies on: after Conflict, AlreadyExists or
      // NotFound, reading again returns the state that caused it, not the state before it.
      // Two writers race; whichever loses reads as soon as it learns it lost.
      const race = (write: (n: string) => Promise<KObject>, k: ObjectKey) =>
        Promise.all(
          ['1', '2'].map((n) =>
            write(n).then(
              () => ({ won: n }),
              async (err: StoreError) => ({ lost: n, code: err.code, seen: ((await s.get(k))?.data as { n?: string } | undefined)?.n ?? 'absent' }),
            ),
          ),
        );
      const v0 = await s.create(key('default', 'a'), cm('default', 'a', { n: '0' }));
      const updates = await race((n) => s.update(key('default', 'a'), cm('default', 'a', { n }), { expectedResourceVersion: v0.metadata.resourceVersion }), key('default', 'a'));
      const uw = updates.find((r) => 'won' in r) as { won: string };
      assert.deepEqual(updates.find((r) => 'lost' in r), { lost: uw.won === '1' ? '2' : '1', code: 'Conflict', seen: uw.won });

      const creates = await race((n) => s.create(key('default', 'b'), cm('default', 'b', { n })), key('default', 'b'));
      const cw = creates.find((r) => 'won' in r) as { won: string };
      assert.deepEqual(creates.find((r) => 'lost' in r), { lost: cw.won === '1' ? '2' : '1', code: 'AlreadyExists', seen: cw.won });

      const deleteFirst = await race((n) => (n === '1' ? s.delete(key('default', 'b')) : s.update(key('default', 'b'), cm('default', 'b', { n: 'late' }))), key('default', 'b'));
      const lost = deleteFirst.find((r) => 'lost' in r);
      if (lost) assert.deepEqual(lost, { lost: '2', code: 'NotFound', seen: 'absent' });
    }));

    test('resourceVersion strictly increases across all resources and operations', withStore(async (s) => {
      const seen: number[] = [Number(await s.currentRevision())];
      seen.push(rv(await s.create(key('default', 'a'), cm('default', 'a'))));
      seen.push(rv(await s.create(key('default', 'a', SECRETS), cm('default', 'a'))));
      seen.push(rv(await s.update(key('default', 'a'), cm('default', 'a', { y: '1' }))));
      seen.push(rv(await s.create(key('', 'cluster', 'core/namespaces'), cm('', 'cluster'))));
      const deleted = await s.delete(key('default', 'a', SECRETS));
      seen.push(rv(deleted));
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `revisions increase: ${seen.join(', ')}`);
      assert.equal(await s.currentRevision(), String(seen.at(-1)));
      // Concurrent writes of different objects may share a revision (etcd batches them into one txn), all above
      // what came before; each write of one object gets a new revision.
      const many = await Promise.all(Array.from({ length: 40 }, (_, i) => s.create(key('bulk', `o${i}`), cm('bulk', `o${i}`))));
      const revs = many.map(rv);
      assert.ok(Math.min(...revs) > seen.at(-1)!);
      assert.equal(await s.currentRevision(), String(Math.max(...revs)));
      const same = await Promise.all(Array.from({ length: 5 }, (_, i) => s.update(key('bulk', 'o0'), cm('bulk', 'o0', { i: String(i) }))));
      assert.equal(new Set(same.map(rv)).size, 5, `one object's writes: ${same.map(rv).join(', ')}`);
      assert.deepEqual(await s.get(key('bulk', 'o0')), same.reduce((a, b) => (rv(b) > rv(a) ? b : a)));
    }));

    test('delete returns the last stored object stamped with the deletion revision', withStore(async (s) => {
      const created = await s.create(key('default', 'a'), cm('default', 'a', { k: 'v' }));
      const deleted = await s.delete(key('default', 'a'));
      assert.ok(rv(deleted) > rv(created));
      assert.deepEqual(deleted.data, { k: 'v' });
      assert.equal(await s.get(key('default', 'a')), undefined);
      // The name can be reused.
      const again = await s.create(key('default', 'a'), cm('default', 'a'));
      assert.ok(rv(again) > rv(deleted));
    }));

    test('list is sorted by namespace then name, filtered, and scoped to resource and namespace', withStore(async (s) => {
      const order = [['a-b', 'x'], ['a', 'z'], ['b', 'a'], ['a', 'y'], ['', 'c'], ['a-b', 'a']];
      for (const [ns, n] of order) await s.create(key(ns, n), cm(ns, n, { tier: n < 'y' ? 'low' : 'high' }));
      await s.create(key('a', 'other'), cm('a', 'other'));
      await s.delete(key('a', 'other'));
      await s.create(key('a', 'secret', SECRETS), cm('a', 'secret'));
      const all = await s.list({ resource: CM });
      assert.deepEqual(names(all.items), ['/c', 'a/y', 'a/z', 'a-b/a', 'a-b/x', 'b/a']);
      assert.equal(all.resourceVersion, await s.currentRevision());
      assert.equal(all.continue, undefined);
      assert.deepEqual(names((await s.list({ resource: CM, namespace: 'a' })).items), ['a/y', 'a/z']);
      assert.deepEqual(names((await s.list({ resource: CM, namespace: '' })).items).length, 6, '"" means all namespaces');
      assert.deepEqual(names((await s.list({ resource: CM, namespace: 'nope' })).items), []);
      assert.deepEqual(names((await s.list({ resource: 'core/nothing' })).items), []);
      const high = await s.list({ resource: CM }, { filter: (o) => (o.data as Record<string, string>).tier === 'high' });
      assert.deepEqual(names(high.items), ['a/y', 'a/z']);
      assert.deepEqual(names((await s.list({ resource: SECRETS })).items), ['a/secret']);
    }));

    test('paged list with limit/continue returns every object exactly once', withStore(async (s) => {
      for (let i = 0; i < 25; i++) await s.create(key(`ns${i % 3}`, `o${String(i).padStart(2, '0')}`), cm(`ns${i % 3}`, `o${i}`));
      const expected = names((await s.list({ resource: CM })).items);
      const got: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await s.list({ resource: CM }, { limit: 10, continue: token });
        assert.ok(page.items.length <= 10);
        got.push(...names(page.items));
        token = page.continue;
        pages++;
      } while (token);
      assert.equal(pages, 3);
      assert.deepEqual(got, expected);
      // Namespace-scoped paging, and limit counts only objects passing the filter.
      const odd = (o: KObject) => Number(o.metadata.name!.slice(1)) % 2 === 1;
      const p1 = await s.list({ resource: CM, namespace: 'ns1' }, { limit: 2, filter: odd });
      assert.equal(p1.items.length, 2);
      const p2 = await s.list({ resource: CM, namespace: 'ns1' }, { limit: 2, filter: odd, continue: p1.continue });
      const oddNs1 = expected.filter((n) => n.startsWith('ns1/') && Number(n.slice(5)) % 2 === 1);
      assert.deepEqual([...names(p1.items), ...names(p2.items)], oddNs1.slice(0, 4));
      // A page that exactly exhausts the list carries no continue token.
      const exact = await s.list({ resource: CM }, { limit: 25 });
      assert.equal(exact.items.length, 25);
      assert.equal(exact.continue, undefined);
    }));

    test('paged list continues at the first page\'s snapshot while writes happen between pages', withStore(async (s) => {
      for (let i = 0; i < 20; i++) await s.create(key('d', `o${String(i).padStart(2, '0')}`), cm('d', `o${i}`, { v: '0' }));
      const before = (await s.list({ resource: CM })).items;
      const first = await s.list({ resource: CM }, { limit: 5 });
      // Between pages: delete an unseen object, add new ones on both sides, modify an unseen one, touch a seen one.
      await s.delete(key('d', 'o12'));
      await s.create(key('d', 'o00a'), cm('d', 'o00a'));
      await s.create(key('d', 'o99'), cm('d', 'o99'));
      await s.update(key('d', 'o15'), cm('d', 'o15', { v: '1' }));
      await s.delete(key('d', 'o02'));
      await s.create(key('d', 'o02'), cm('d', 'o02', { v: 'again' }));
      const got = [...first.items];
      let token = first.continue;
      while (token) {
        const page = await s.list({ resource: CM }, { limit: 5, continue: token });
        assert.equal(page.resourceVersion, first.resourceVersion, 'every page reports the snapshot revision');
        got.push(...page.items);
        token = page.continue;
      }
      assert.deepEqual(got, before, 'pages together equal the list at the first page\'s revision');
      const now = names((await s.list({ resource: CM })).items);
      assert.ok(now.includes('d/o99') && !now.includes('d/o12'));
    }));

    test('malformed continue tokens are BadRequest; expired ones are Gone', withStore(async (s) => {
      for (let i = 0; i < 6; i++) await s.create(key('d', `o${i}`), cm('d', `o${i}`));
      await rejectsWith(s.list({ resource: CM }, { limit: 2, continue: 'not-a-token' }), 'BadRequest');
      const first = await s.list({ resource: CM }, { limit: 2 });
      assert.ok(first.continue);
      for (let i = 0; i < 10; i++) await s.update(key('d', 'o5'), cm('d', 'o5', { i: String(i) }));
      await rejectsWith(s.list({ resource: CM }, { limit: 2, continue: first.continue }), 'Gone');
    }, { historySize: 4 }));

    test('requestProgress, where offered, sends a BOOKMARK at the store revision after every pending event of the watch', withStore(async (s) => {
      const quiet = collect(s, { resource: SECRETS });
      if (!quiet.requestProgress) return quiet.stop();
      await s.create(key('d', 'a'), cm('d', 'a'));
      const secret = await s.create(key('d', 's', SECRETS), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'd' } });
      for (let i = 0; i < 5; i++) await s.create(key('d', `b${i}`), cm('d', `b${i}`));
      const revision = Number(await s.currentRevision());
      assert.ok(revision >= rv(secret) + 5);
      // Asked while the secret's event may still be on its way: the bookmark must come after it.
      quiet.requestProgress();
      await quiet.waitFor(2);
      quiet.stop();
      assert.deepEqual(quiet.events.map((e) => e.type), ['ADDED', 'BOOKMARK']);
      assert.equal(quiet.events[0].object.metadata.name, 's');
      assert.equal(Number(quiet.events[1].object.metadata.resourceVersion), revision);
    }));

    test('mutating returned or passed-in objects cannot change the store', withStore(async (s) => {
      const input = cm('default', 'a', { k: 'v' });
      const created = await s.create(key('default', 'a'), input);
      const createdRv = created.metadata.resourceVersion;
      (input.data as Record<string, string>).k = 'changed-input';
      input.metadata.labels!.app = 'changed-input';
      const attempts: KObject[] = [created, (await s.get(key('default', 'a')))!, (await s.list({ resource: CM })).items[0]];
      for (const obj of attempts) {
        try {
          (obj.data as Record<string, string>).k = 'changed';
        } catch {
          // frozen objects throw: also acceptable
        }
        try {
          obj.metadata.labels!.app = 'changed';
          obj.metadata.resourceVersion = '999999';
        } catch {
          // as above
        }
      }
      const stored = (await s.get(key('default', 'a')))!;
      assert.deepEqual(stored.data, { k: 'v' });
      assert.deepEqual(stored.metadata.labels, { app: 'demo' });
      assert.equal(stored.metadata.resourceVersion, createdRv);
      const w = collect(s, { resource: CM }, String(Number(createdRv) - 1));
      await w.waitFor(1);
      try {
        w.events[0].object.metadata.name = 'changed';
      } catch {
        // frozen
      }
      w.stop();
      assert.equal((await s.list({ resource: CM })).items[0].metadata.name, 'a');
    }));

    test('watch from a revision replays exactly the later events in order, with prevObject', withStore(async (s) => {
      await s.create(key('d', 'early'), cm('d', 'early'));
      const from = await s.currentRevision();
      const a1 = await s.create(key('d', 'a'), cm('d', 'a', { n: '1' }));
      const a2 = await s.update(key('d', 'a'), cm('d', 'a', { n: '2' }));
      const b1 = await s.create(key('d', 'b'), cm('d', 'b'));
      const aDel = await s.delete(key('d', 'a'));
      const w = collect(s, { resource: CM }, from);
      await w.waitFor(4);
      const b2 = await s.update(key('d', 'b'), cm('d', 'b', { live: 'yes' }));
      await w.waitFor(5);
      await settle();
      w.stop();
      assert.deepEqual(w.errors, []);
      assert.deepEqual(w.events.map(summary), [
        `ADDED d/a@${rv(a1)}`,
        `MODIFIED d/a@${rv(a2)}`,
        `ADDED d/b@${rv(b1)}`,
        `DELETED d/a@${rv(aDel)}`,
        `MODIFIED d/b@${rv(b2)}`,
      ]);
      assert.deepEqual(w.events[0].object, a1);
      assert.equal(w.events[0].prevObject, undefined);
      assert.deepEqual(w.events[1].prevObject, a1);
      assert.deepEqual(w.events[1].object, a2);
      assert.deepEqual(w.events[3].prevObject, a2, 'DELETED carries the object before deletion');
      assert.deepEqual(w.events[3].object.data, { n: '2' });
      assert.deepEqual(w.events[4].prevObject, b1);
    }));

    test('a watch started at a list\'s resourceVersion misses nothing written after the list', withStore(async (s) => {
      await s.create(key('d', 'a'), cm('d', 'a'));
      const listed = await s.list({ resource: CM });
      const written = await Promise.all([0, 1, 2, 3, 4].map((i) => s.create(key('d', `n${i}`), cm('d', `n${i}`))));
      const w = collect(s, { resource: CM }, listed.resourceVersion);
      await w.waitFor(5);
      await settle();
      w.stop();
      assert.deepEqual(w.events.map((e) => rv(e.object)), written.map(rv).sort((x, y) => x - y));
    }));

    test('watch is scoped by resource and namespace', withStore(async (s) => {
      const from = await s.currentRevision();
      const inNs = collect(s, { resource: CM, namespace: 'x' }, from);
      const allNs = collect(s, { resource: CM }, from);
      const secrets = collect(s, { resource: SECRETS }, from);
      await s.create(key('x', 'a'), cm('x', 'a'));
      await s.create(key('y', 'a'), cm('y', 'a'));
      await s.create(key('x', 's', SECRETS), cm('x', 's'));
      await s.update(key('x', 'a'), cm('x', 'a', { z: '1' }));
      await allNs.waitFor(3);
      await inNs.waitFor(2);
      await secrets.waitFor(1);
      await settle();
      for (const w of [inNs, allNs, secrets]) w.stop();
      assert.deepEqual(inNs.events.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`), ['ADDED x/a', 'MODIFIED x/a']);
      assert.deepEqual(allNs.events.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`), ['ADDED x/a', 'ADDED y/a', 'MODIFIED x/a']);
      assert.deepEqual(secrets.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED s']);
    }));

    test('watch from "now" delivers only later events; delivery is asynchronous', withStore(async (s) => {
      await s.create(key('d', 'old'), cm('d', 'old'));
      const w = collect(s, { resource: CM });
      let duringWrite = -1;
      const pending = s.create(key('d', 'new'), cm('d', 'new'));
      duringWrite = w.events.length; // the write call has returned; no event may have been delivered inside it
      await pending;
      await w.waitFor(1);
      await settle();
      w.stop();
      assert.equal(duringWrite, 0);
      assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED new']);
    }));

    test('watch from a revision not yet reached waits for it', withStore(async (s) => {
      const now = Number(await s.currentRevision());
      const w = collect(s, { resource: CM }, String(now + 2));
      await s.create(key('d', 'a'), cm('d', 'a'));
      await s.create(key('d', 'b'), cm('d', 'b'));
      await s.create(key('d', 'c'), cm('d', 'c'));
      await w.waitFor(1);
      await settle();
      w.stop();
      assert.deepEqual(w.events.map((e) => e.object.metadata.name), ['c']);
    }));

    test('watch from a revision older than the retained history fails with Gone', withStore(async (s) => {
      const start = await s.currentRevision();
      for (let i = 0; i < 12; i++) await s.create(key('d', `o${i}`), cm('d', `o${i}`));
      let w: ReturnType<typeof collect> | undefined;
      try {
        w = collect(s, { resource: CM }, start);
      } catch (err) {
        assert.ok(err instanceof StoreError && err.code === 'Gone', `unexpected ${err}`);
        return;
      }
      await w.waitFor(1, 'error');
      assert.equal(w.errors.length, 1);
      assert.equal(w.errors[0].code, 'Gone');
      // Recent revisions remain watchable.
      const recent = collect(s, { resource: CM }, String(Number(await s.currentRevision()) - 2));
      await recent.waitFor(2);
      recent.stop();
      assert.deepEqual(recent.events.map((e) => e.object.metadata.name), ['o10', 'o11']);
      assert.deepEqual(recent.errors, []);
    }, { historySize: 4 }));

    test('a malformed watch resourceVersion is rejected as BadRequest', withStore(async (s) => {
      let code: string | undefined;
      try {
        const w = collect(s, { resource: CM }, 'abc');
        await w.waitFor(1, 'error');
        code = w.errors[0]?.code;
      } catch (err) {
        code = (err as StoreError).code;
      }
      assert.equal(code, 'BadRequest');
    }));

    test('stop() ends delivery, even of events already queued, and is idempotent', withStore(async (s) => {
      const w = collect(s, { resource: CM });
      await s.create(key('d', 'a'), cm('d', 'a'));
      await w.waitFor(1);
      const queued = s.create(key('d', 'b'), cm('d', 'b'));
      w.stop();
      w.stop();
      await queued;
      await s.create(key('d', 'c'), cm('d', 'c'));
      await settle();
      assert.deepEqual(w.events.map((e) => e.object.metadata.name), ['a']);
    }));

    test('many concurrent writers: watchers see every event once, in revision order', withStore(async (s) => {
      const w = collect(s, { resource: CM });
      const writes = await Promise.all(Array.from({ length: 100 }, (_, i) => s.create(key(`n${i % 4}`, `o${i}`), cm(`n${i % 4}`, `o${i}`))));
      await w.waitFor(100);
      await settle();
      w.stop();
      const revs = w.events.map((e) => rv(e.object));
      assert.deepEqual(revs, [...revs].sort((a, b) => a - b));
      assert.deepEqual(new Set(revs), new Set(writes.map(rv)));
      assert.equal(revs.length, 100);
    }));

    test('close ends watches and later calls fail with Unavailable', async () => {
      const s = await open();
      const w = collect(s, { resource: CM });
      await s.create(key('d', 'a'), cm('d', 'a'));
      await w.waitFor(1);
      await s.close();
      await w.waitFor(2, 'close error');
      assert.equal(w.errors[0]?.code, 'Unavailable');
      await rejectsWith(s.get(key('d', 'a')), 'Unavailable');
      await rejectsWith(s.create(key('d', 'b'), cm('d', 'b')), 'Unavailable');
      await s.close();
    });
  });
}
