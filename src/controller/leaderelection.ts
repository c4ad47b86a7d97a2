// Leader election over a coordination.k8s.io/v1 Lease, as client-go's
// tools/leaderelection (used by controller-runtime) does it, packaged as a
// Coordinator (sharding.ts) with one shard: the leader owns every key, the
// others none, so the Manager's existing hooks do the rest (keys dropped
// while not leading are re-enqueued from the caches on gaining).
//
// The record: spec.holderIdentity, leaseDurationSeconds, acquireTime,
// renewTime, leaseTransitions. Every retry period a candidate reads the
// Lease; it takes it when it is free (no holder: released) or expired — and
// "expired" is judged on the local clock, as client-go does: a lease whose
// record has not changed for leaseDuration since *we* last saw it change,
// never by comparing the holder's renewTime with our clock (clock skew). The
// take is an update with the read resourceVersion, so of two candidates one
// wins and the other gets Conflict. The leader renews every retry period.
//
// Exclusivity: owns() is true only until renewDeadline after the *start* of
// the last successful renewal. Others can take over no earlier than
// leaseDuration after they saw that renewal's change, which happened after we
// sent it; renewDeadline < leaseDuration, so a leader that cannot renew stops
// starting reconciles before anyone else may begin. (Reconciles already
// running are not cut short, as in controller-runtime; their writes are not
// fenced — kube-apiserver has no write fence.) On stop the leader releases
// the Lease (empty holder), so a successor takes over at once.
//
// Trade-off: a leader that lost the lease goes back to being a candidate
// instead of exiting (controller-runtime exits the process); its caches stay
// warm, and keys are re-enqueued when it leads again.

import type { Client } from '../api/client.js';
import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/object.js';
import type { Coordinator, CoordinatorHooks } from './sharding.js';

export interface LeaderElectionConfig {
  /** Lease namespace and name (one Lease per project). */
  namespace: string;
  name: string;
  /** Holder identity (`<host>_<pid>`). */
  identity: string;
  /** How long others wait after the last change before taking the lease (default 15 s). */
  leaseDurationMs?: number;
  /** The leader stops reconciling when it has not renewed for this long (default 10 s; less than the lease duration). */
  renewDeadlineMs?: number;
  /** Time between attempts to acquire or renew (default 2 s). */
  retryPeriodMs?: number;
  log?: (line: string) => void;
}

export const defaultLeaderElection = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

const leaseType = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** RFC 3339 with microseconds, the MicroTime format of Lease times. */
function microTime(): string {
  return new Date().toISOString().replace(/Z$/, '000Z');
}

export class LeaseCoordinator implements Coordinator {
  readonly shards = 1;
  readonly id: string;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly retryMs: number;
  private readonly log: (line: string) => void;
  private hooks: CoordinatorHooks | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  /** performance.now() until which we may start reconciles (0 = not leading). */
  private validUntil = 0;
  private leading = false;
  /** The Lease as we last read or wrote it, and when (local clock) its record last changed as we saw it. */
  private observed: KObject | undefined;
  private observedRecord = '';
  private observedAt = 0;
  /** Times this process became leader (tests, logs). */
  acquisitions = 0;

  constructor(
    private readonly client: Client,
    private readonly config: LeaderElectionConfig,
  ) {
    this.id = config.identity;
    this.leaseMs = config.leaseDurationMs ?? defaultLeaderElection.leaseDurationMs;
    this.renewMs = config.renewDeadlineMs ?? defaultLeaderElection.renewDeadlineMs;
    this.retryMs = config.retryPeriodMs ?? defaultLeaderElection.retryPeriodMs;
    if (!(this.renewMs < this.leaseMs)) throw new Error(`leader election: the renew deadline (${this.renewMs} ms) must be shorter than the lease duration (${this.leaseMs} ms)`);
    if (!(this.retryMs < this.renewMs)) throw new Error(`leader election: the retry period (${this.retryMs} ms) must be shorter than the renew deadline (${this.renewMs} ms)`);
    this.log = config.log ?? (() => {});
  }

  /** Whether this process leads now (may start reconciles). */
  isLeader(): boolean {
    return this.leading && performance.now() < this.validUntil;
  }

  owns(): boolean {
    return this.isLeader();
  }

  fence(): undefined {
    return undefined;
  }

  async start(hooks: CoordinatorHooks): Promise<void> {
    this.hooks = hooks;
    this.log(`leader election: ${this.id} is a candidate for Lease ${this.config.namespace}/${this.config.name}`);
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.leading && this.observed) {
      // Release: an empty holder lets a successor take over at once instead of waiting out the lease.
      const spec = this.observed.spec as LeaseSpec;
      await this.client
        .update({ ...this.observed, spec: { ...spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime() } })
        .then(() => this.log(`leader election: ${this.id} released Lease ${this.config.namespace}/${this.config.name}`))
        .catch(() => {});
    }
    this.leading = false;
    this.validUntil = 0;
  }

  private tick(): void {
    if (this.stopped) return;
    this.running = this.attempt().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      // client-go jitters the candidates' retry by up to 20 %; the leader renews on the period.
      const delay = this.leading ? this.retryMs : this.retryMs * (1 + Math.random() * 0.2);
      this.timer = setTimeout(() => this.tick(), delay);
    });
  }

  private async attempt(): Promise<void> {
    const started = performance.now();
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      if (this.leading) this.log(`leader election: ${this.id} failed to renew: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (this.stopped) return;
    if (ok) {
      // Not leading, or leading but past the deadline (a renewal that hung): keys were dropped meanwhile, so this is a gain.
      const gained = !this.isLeader();
      this.validUntil = started + this.renewMs;
      if (gained) {
        this.leading = true;
        this.acquisitions++;
        this.log(`leader election: ${this.id} became leader (Lease ${this.config.namespace}/${this.config.name})`);
        this.hooks?.gained(new Set([0]));
      }
    } else if (this.leading && performance.now() >= this.validUntil) {
      this.leading = false;
      this.log(`leader election: ${this.id} lost the lease (not renewed within ${this.renewMs} ms): stopped reconciling`);
    }
  }

  /** One round of client-go's tryAcquireOrRenew; true when we hold the Lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name } = this.config;
    const ours = (prev: LeaseSpec | undefined): LeaseSpec => {
      const same = prev?.holderIdentity === this.id;
      return {
        holderIdentity: this.id,
        leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
        acquireTime: same && prev?.acquireTime ? prev.acquireTime : microTime(),
        renewTime: microTime(),
        leaseTransitions: same ? (prev?.leaseTransitions ?? 0) : (prev?.leaseTransitions ?? 0) + (prev?.holderIdentity ? 1 : 0),
      };
    };
    // Fast path: the leader renews against the Lease it last wrote, one request.
    if (this.leading && this.observed) {
      try {
        this.see(await this.client.update({ ...this.observed, spec: ours(this.observed.spec as LeaseSpec) }));
        return true;
      } catch (err) {
        if (!isApiError(err, 'Conflict')) throw err;
      }
    }
    const lease = await this.client.get(leaseType, namespace, name);
    if (!lease) {
      try {
        this.see(await this.client.create({ ...leaseType, metadata: { namespace, name }, spec: ours(undefined) }));
        return true;
      } catch (err) {
        if (isApiError(err, 'AlreadyExists')) return false;
        throw err;
      }
    }
    this.see(lease);
    const spec = (lease.spec ?? {}) as LeaseSpec;
    const holder = spec.holderIdentity ?? '';
    const durationMs = (spec.leaseDurationSeconds ?? Math.ceil(this.leaseMs / 1000)) * 1000;
    if (holder !== '' && holder !== this.id && this.observedAt + durationMs > performance.now()) return false;
    try {
      this.see(await this.client.update({ ...lease, spec: ours(spec) }));
      return true;
    } catch (err) {
      if (isApiError(err, 'Conflict')) return false;
      throw err;
    }
  }

  /**
   * Notes the Lease; its record changing (holder or renewal) restarts the
   * local expiry clock — at the time the answer arrived, which is after the
   * change happened (the safe side for judging expiry).
   */
  private see(lease: KObject): void {
    const now = performance.now();
    const s = (lease.spec ?? {}) as LeaseSpec;
    const record = `${s.holderIdentity ?? ''}|${s.renewTime ?? ''}|${s.leaseTransitions ?? 0}`;
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = now;
    }
    this.observed = lease;
  }
}
