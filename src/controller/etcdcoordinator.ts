// Shard ownership through etcd leases: the Coordinator (src/controller/sharding.ts)
// for several runners on one etcd. See docs/scale-out.md for the design.
//
// Keys, beside the store's (`<prefix>.coordination/`, outside the store's range):
//   members/<id>  = id     attached to the runner's lease: who is alive
//   shards/<n>    = id     attached to the owner's lease: who owns shard n
// A runner that dies stops renewing; after the TTL etcd deletes every key of
// its lease at once and the survivors acquire the freed shards.
//
// Every tick (500 ms) a runner renews its lease, reads the whole coordination
// range (one request), and moves towards the rendezvous assignment over the
// live members: it creates free shards assigned to it (txn create_revision==0,
// put with its lease), takes any shard left free for 2 s (the assigned runner
// may be slow), and releases shards assigned to another live member once none
// of their keys is in flight here (txn value==id → delete); a tick sends all
// its acquisitions and releases at once (one round trip, however many shards).
//
// Exclusivity: owns() is true only while the last acknowledged renewal was
// *sent* less than TTL − safety ago. etcd can expire the lease no earlier than
// TTL after it received that renewal, which is after we sent it, so this
// runner stops starting reconciles at least `safety` before anyone else can
// acquire its shards. What a pause longer than that could still let through —
// the writes of a reconcile already running — is refused by the write fence:
// every write made while reconciling carries "shards/<n> still has the create
// revision I acquired it at" in its txn (src/store/fence.ts).
//
// Trade-off: polling instead of watching the coordination keys costs two small
// requests per runner per tick and adds up to one tick to every hand-over, but
// it has no resume logic to get wrong across etcd restarts.

import { randomBytes } from 'node:crypto';
import { Etcd3, type IKeyValue } from 'etcd3';
import { shardOf, targetOwner, type Coordinator, type CoordinatorHooks } from './sharding.js';
import type { WriteFence } from '../store/fence.js';

export interface EtcdCoordinatorOptions {
  endpoints: string[];
  /** The store's key prefix (default "/registry"); coordination keys live under `<prefix>.coordination/`. */
  prefix?: string;
  /** Lease TTL in seconds (default 10). */
  ttlSeconds?: number;
  /** Stop starting reconciles this long before the lease could expire (default 3000 ms). */
  safetyMs?: number;
  /** Number of shards (default 64); must be the same in every runner. */
  shards?: number;
  tickMs?: number;
  /** A free shard whose assigned runner does not take it is taken by anyone after this long (default 2000 ms). */
  takeOverAfterMs?: number;
  /** Member id (default random). */
  id?: string;
  log?: (line: string) => void;
}

export class EtcdCoordinator implements Coordinator {
  readonly id: string;
  readonly shards: number;
  private readonly client: Etcd3;
  private readonly base: string;
  private readonly ttl: number;
  private readonly safetyMs: number;
  private readonly tickMs: number;
  private readonly takeOverAfterMs: number;
  private readonly log: (line: string) => void;
  private leaseId: string | undefined;
  /** performance.now() until which this runner may start reconciles. */
  private validUntil = 0;
  /** Shard → create revision of its key when acquired. */
  private readonly owned = new Map<number, string>();
  private readonly releasing = new Set<number>();
  private readonly freeSince = new Map<number, number>();
  private hooks: CoordinatorHooks | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  constructor(opts: EtcdCoordinatorOptions) {
    this.id = opts.id ?? `${process.pid}-${randomBytes(4).toString('hex')}`;
    this.shards = opts.shards ?? 64;
    this.ttl = opts.ttlSeconds ?? 10;
    this.safetyMs = opts.safetyMs ?? 3000;
    this.tickMs = opts.tickMs ?? 500;
    this.takeOverAfterMs = opts.takeOverAfterMs ?? 2000;
    this.log = opts.log ?? (() => {});
    this.base = `${opts.prefix ?? '/registry'}.coordination/`;
    this.client = new Etcd3({ hosts: opts.endpoints.map((e) => `http://${e}`), defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 3000 }) });
  }

  owns(key: string): boolean {
    const s = shardOf(key, this.shards);
    return this.owned.has(s) && !this.releasing.has(s) && performance.now() < this.validUntil;
  }

  /** Held (acquired and not yet released or dropped), whether or not the renew deadline has passed: every acquisition is announced through gained(). */
  holds(key: string): boolean {
    return this.owned.has(shardOf(key, this.shards));
  }

  fence(key: string): WriteFence | undefined {
    const s = shardOf(key, this.shards);
    const rev = this.owned.get(s);
    return rev === undefined ? undefined : { key: this.shardKey(s), createRevision: rev, what: `shard ${s}` };
  }

  /** Shards owned now (for logs and tests). */
  ownedShards(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  async start(hooks: CoordinatorHooks): Promise<void> {
    this.hooks = hooks;
    await this.tick();
    const loop = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.ticking = this.tick().catch((err) => this.log(`coordinator: ${err instanceof Error ? err.message : String(err)}`));
        void this.ticking.then(loop);
      }, this.tickMs);
    };
    loop();
  }

  /** Revokes the lease: etcd deletes this runner's member and shard keys at once, so the others take over now. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    this.owned.clear();
    if (this.leaseId !== undefined) await this.client.leaseClient.leaseRevoke({ ID: this.leaseId }).catch(() => {});
    this.client.close();
  }

  private shardKey(s: number): string {
    return `${this.base}shards/${s}`;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    await this.renew();
    if (this.leaseId === undefined || performance.now() >= this.validUntil) return;
    const res = await this.client.kv.range({ key: Buffer.from(this.base), range_end: prefixEnd(this.base) });
    const members: string[] = [];
    const shardKvs = new Map<number, IKeyValue>();
    for (const kv of res.kvs) {
      const k = kv.key.toString();
      if (k.startsWith(`${this.base}members/`)) members.push(kv.value.toString());
      else if (k.startsWith(`${this.base}shards/`)) shardKvs.set(Number(k.slice(`${this.base}shards/`.length)), kv);
    }
    if (!members.includes(this.id)) {
      await this.putMember();
      members.push(this.id);
    }
    members.sort();
    const now = performance.now();
    const gained = new Set<number>();
    // Acquired and released all at once below: one round trip per shard, one after the
    // other, would make a tick that takes over 32 shards from a slow etcd outlast the
    // lease it renewed at its start (and owns() turn false for every shard meanwhile).
    const take: number[] = [];
    const give: number[] = [];
    for (let s = 0; s < this.shards; s++) {
      const kv = shardKvs.get(s);
      const holder = kv?.value.toString();
      const mine = holder === this.id && String(kv!.lease) === this.leaseId;
      if (!mine && this.owned.has(s)) {
        // Lost without releasing (our lease expired meanwhile): stop at once.
        this.owned.delete(s);
        this.releasing.delete(s);
        this.log(`coordinator ${this.id}: lost shard ${s}`);
      }
      const target = targetOwner(s, members);
      if (!kv) {
        if (!this.freeSince.has(s)) this.freeSince.set(s, now);
        if (target === this.id || now - this.freeSince.get(s)! >= this.takeOverAfterMs) {
          take.push(s);
        }
        continue;
      }
      this.freeSince.delete(s);
      if (mine && !this.owned.has(s)) {
        this.owned.set(s, String(kv.create_revision));
        gained.add(s);
      }
      if (mine && target !== this.id && target !== undefined) {
        this.releasing.add(s);
        if (!this.hooks?.busy(s)) give.push(s);
      } else this.releasing.delete(s);
    }
    // Settled, not all(): a shard acquired while another request failed is owned, so it must be announced.
    const [acquired, released] = await Promise.all([Promise.allSettled(take.map((s) => this.acquire(s))), Promise.allSettled(give.map((s) => this.release(s)))]);
    take.forEach((s, i) => acquired[i].status === 'fulfilled' && acquired[i].value && gained.add(s));
    if (gained.size > 0) {
      this.log(`coordinator ${this.id}: owns ${this.owned.size}/${this.shards} shards (${members.length} member(s))`);
      this.hooks?.gained(gained);
    }
    const failed = [...acquired, ...released].find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Grants a lease if there is none, else renews it; moves the local deadline on success. */
  private async renew(): Promise<void> {
    if (this.leaseId === undefined) {
      const sent = performance.now();
      const g = await this.client.leaseClient.leaseGrant({ TTL: this.ttl });
      this.leaseId = String(g.ID);
      this.validUntil = sent + Number(g.TTL) * 1000 - this.safetyMs;
      await this.putMember();
      return;
    }
    const sent = performance.now();
    let ttl: number;
    try {
      ttl = await this.keepAlive(this.leaseId);
    } catch (err) {
      // etcd unreachable: keep the deadline; owns() turns false when it passes.
      this.log(`coordinator ${this.id}: lease renewal failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (ttl <= 0) {
      // Expired: everything attached to it is gone; join again as a new lease.
      this.log(`coordinator ${this.id}: lease expired; rejoining`);
      this.owned.clear();
      this.releasing.clear();
      this.leaseId = undefined;
      this.validUntil = 0;
      return this.renew();
    }
    this.validUntil = sent + ttl * 1000 - this.safetyMs;
  }

  private async keepAlive(id: string): Promise<number> {
    const stream = await this.client.leaseClient.leaseKeepAlive();
    try {
      return await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('keepalive timed out')), 2000);
        stream.on('data', (res: { TTL: string }) => {
          clearTimeout(timer);
          resolve(Number(res.TTL));
        });
        stream.on('error', (err: Error) => {
          clearTimeout(timer);
          reject(err);
        });
        stream.write({ ID: id });
      });
    } finally {
      stream.end();
    }
  }

  private async putMember(): Promise<void> {
    await this.client.kv.put({ key: Buffer.from(`${this.base}members/${this.id}`), value: Buffer.from(this.id), lease: this.leaseId });
  }

  private async acquire(s: number): Promise<boolean> {
    const k = Buffer.from(this.shardKey(s));
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value: Buffer.from(this.id), lease: this.leaseId } }],
    });
    if (!res.succeeded) return false;
    this.freeSince.delete(s);
    this.owned.set(s, String(res.header.revision));
    return true;
  }

  private async release(s: number): Promise<void> {
    const k = Buffer.from(this.shardKey(s));
    // Forget it first: from here on nothing of this shard may start or write here.
    this.owned.delete(s);
    this.releasing.delete(s);
    await this.client.kv.txn({
      compare: [{ key: k, target: 'Value', result: 'Equal', value: Buffer.from(this.id) }],
      success: [{ request_delete_range: { key: k } }],
    });
  }
}

/** The end of the key range of every key starting with `prefix`. */
function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  b[b.length - 1]++;
  return b;
}
