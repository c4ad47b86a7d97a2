// Event recording (core/v1 Event), as client-go's EventRecorder does it:
// repeated events for the same object, reason and message are aggregated into
// one Event whose `count` and `lastTimestamp` advance, so a reconciler that
// reports the same outcome in a loop writes one object, not thousands.
//
// Trade-off: the aggregation key → Event name map lives in memory, bounded
// (oldest keys forgotten first); after a restart or eviction the next repeat
// creates a new Event (as with client-go's LRU cache).

import type { KObject } from '../../api/object.js';
import { eventType } from '../builtins.js';
import { nowTimestamp } from './meta.js';
import type { ResourceType } from './resources.js';

export interface EventInput {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** Reporting component, e.g. the reconciler name. */
  component?: string;
}

/** What the recorder needs of the registry (which implements it): create an Event, bump an existing one. */
export interface EventStore {
  createObject(t: ResourceType, namespace: string, body: unknown, ctx: object): Promise<KObject>;
  mutate(t: ResourceType, namespace: string, name: string, fn: (o: KObject) => boolean | void): Promise<KObject | undefined>;
}

const maxRemembered = 4096;

export class EventRecorder {
  /** Aggregation key → Event name, in insertion order (oldest first). */
  private readonly seen = new Map<string, string>();

  constructor(private readonly registry: EventStore) {}

  /** Records (or aggregates) an Event about `obj`; returns the stored Event. Fails like a create (e.g. namespace terminating). */
  async record(obj: KObject, ev: EventInput): Promise<KObject> {
    const ns = obj.metadata.namespace || 'default';
    const key = `${obj.metadata.uid}\0${ev.type}\0${ev.reason}\0${ev.message}\0${ev.component ?? ''}`;
    const now = nowTimestamp();
    const existing = this.seen.get(key);
    if (existing) {
      const updated = await this.registry.mutate(eventType, ns, existing, (e) => {
        e.count = ((e.count as number | undefined) ?? 1) + 1;
        e.lastTimestamp = now;
      });
      if (updated) return updated;
      this.seen.delete(key);
    }
    const name = `${obj.metadata.name}.${(Date.now() * 1000 + Math.floor(Math.random() * 1000)).toString(16)}`;
    const event: KObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason: ev.reason,
      message: ev.message,
      type: ev.type,
      source: { component: ev.component ?? 'choreo' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: ev.component ?? 'choreo',
    };
    const stored = await this.registry.createObject(eventType, ns, event, {});
    this.seen.set(key, stored.metadata.name!);
    if (this.seen.size > maxRemembered) this.seen.delete(this.seen.keys().next().value as string);
    return stored;
  }
}
