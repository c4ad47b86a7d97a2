// Reading a watch: the server streams newline-delimited JSON events
// ({type, object}) over one chunked response. This module splits the byte
// stream into lines, parses each event and hands it on; an in-stream ERROR
// event (e.g. 410 Gone "too old resource version") becomes an ApiError.
//
// Key idea: the reader knows nothing of resource types or tables, so the same
// loop serves the Client's typed watch and `choreoctl get -w` (which watches
// as=Table). It resolves when the server ends the stream (a timeout), so
// callers decide whether to resume from the last resourceVersion they saw.

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
    res.on('close', () => (signal.aborted ? resolve() : undefined));
  });
}
