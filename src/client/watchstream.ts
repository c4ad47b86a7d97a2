// Reading a watch: the server streams newline-delimited JSON events
// ({type, object}) over one chunked response. This module splits the byte
// stream into lines, parses each event and hands it on; an in-stream ERROR
// event (e.g. 410 Gone "too old resource version") becomes an ApiError.
//
// Key idea: the reader knows nothing of resource types, so the same loop
// serves the Client's typed watch and `choreoctl get -w` (which watches
// as=Table). followWatch resumes from the last resourceVersion seen when the
// server ends a stream (its timeout), as client-go's reflector does.

import { ApiError, type Status } from '../api/errors.js';
import type { RequestSpec, Transport } from './transport.js';

export interface RawWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: Record<string, unknown>;
}

/**
 * Streams `spec` and calls `onEvent` per event until the server ends the
 * stream (resolves) or fails (rejects: ApiError, connection error). Aborting
 * `signal` resolves quietly.
 */
export async function readWatch(transport: Transport, spec: RequestSpec, signal: AbortSignal, onEvent: (ev: RawWatchEvent) => void): Promise<void> {
  let res;
  try {
    res = await transport.stream(spec, signal);
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
  let buf = '';
  const handleLine = (line: string) => {
    if (line.trim() === '') return;
    let ev: { type?: string; object?: Record<string, unknown> };
    try {
      ev = JSON.parse(line) as typeof ev;
    } catch {
      throw new ApiError('InternalError', `watch ${spec.path}: the server sent an invalid event: ${line.slice(0, 200)}`);
    }
    if (ev.type === 'ERROR') {
      const s = ev.object as Partial<Status> | undefined;
      throw s && s.kind === 'Status' && s.reason ? ApiError.fromStatus(s as Status) : new ApiError('InternalError', `watch ${spec.path}: ${JSON.stringify(ev.object)}`);
    }
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED' && ev.type !== 'BOOKMARK') {
      throw new ApiError('InternalError', `watch ${spec.path}: unknown event type ${JSON.stringify(ev.type)}`);
    }
    onEvent({ type: ev.type, object: ev.object ?? {} });
  };
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => {
      res.destroy();
      if (signal.aborted) resolve();
      else reject(err);
    };
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          handleLine(line);
        } catch (err) {
          fail(err);
          return;
        }
      }
    });
    res.on('end', () => {
      try {
        handleLine(buf);
        resolve();
      } catch (err) {
        fail(err);
      }
    });
    res.on('error', fail);
    res.on('close', () => resolve()); // after 'end' or 'error' this changes nothing; otherwise the stream just stopped
  });
}

/**
 * Follows a watch across stream ends: when the server closes a stream (its
 * timeout), watches again from the last resourceVersion seen, until `signal`
 * aborts or a watch fails (rejects). `pathFor(rv)` builds the request path.
 * A stream that ends within a second of starting delays the next attempt by a
 * second, so a server that closes at once is not hammered.
 */
export async function followWatch(
  transport: Transport,
  spec: { accept?: string; pathFor: (resourceVersion: string) => string },
  resourceVersion: string,
  signal: AbortSignal,
  onEvent: (ev: RawWatchEvent) => void,
): Promise<void> {
  let rv = resourceVersion;
  while (!signal.aborted) {
    const started = Date.now();
    await readWatch(transport, { method: 'GET', path: spec.pathFor(rv), accept: spec.accept }, signal, (ev) => {
      const next = eventResourceVersion(ev.object);
      if (next) rv = next;
      onEvent(ev);
    });
    if (!signal.aborted && Date.now() - started < 1000) await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The resourceVersion an event carries: the object's, or for an as=Table event its row's. */
function eventResourceVersion(o: Record<string, unknown>): string | undefined {
  const rows = o.rows as { object?: { metadata?: { resourceVersion?: string } } }[] | undefined;
  if (Array.isArray(rows)) return rows[0]?.object?.metadata?.resourceVersion;
  return (o.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
}
