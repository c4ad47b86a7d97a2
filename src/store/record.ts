// The on-disk record format of the file backend, used by both the write-ahead log
// and the snapshot file: a sequence of self-checking frames
//
//   [u32 BE payload length][u32 BE CRC-32 of payload][payload: UTF-8 JSON]
//
// The key idea is that a reader can always tell a whole record from a torn or
// damaged one: a crash mid-append leaves a frame whose length runs past the end
// of the file or whose checksum does not match, and decoding stops there with the
// byte offset of the last good record, so the log can be truncated to it and no
// half-written record is ever loaded. JSON keeps the files inspectable; the cost
// is size and parse time, which only matter at startup.

import { crc32 } from 'node:zlib';
import type { KObject } from '../api/object.js';
import type { ObjectKey } from './store.js';

const HEADER = 8;
/** Larger lengths are treated as damage rather than allocated (etcd's default request limit is 1.5 MiB). */
const MAX_RECORD = 64 * 1024 * 1024;

export function encodeFrame(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  const frame = Buffer.allocUnsafe(HEADER + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.writeUInt32BE(crc32(body), 4);
  body.copy(frame, HEADER);
  return frame;
}

export interface DecodedFrames {
  payloads: string[];
  /** Byte offset just past the last intact frame. */
  end: number;
  /** Why decoding stopped before the end of the buffer, if it did. */
  problem?: string;
}

export function decodeFrames(buf: Buffer): DecodedFrames {
  const payloads: string[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < HEADER) return { payloads, end: off, problem: `incomplete record header at byte ${off}` };
    const len = buf.readUInt32BE(off);
    const sum = buf.readUInt32BE(off + 4);
    if (len === 0 || len > MAX_RECORD) return { payloads, end: off, problem: `invalid record length ${len} at byte ${off}` };
    if (buf.length - off - HEADER < len) return { payloads, end: off, problem: `record at byte ${off} is cut short (${buf.length - off - HEADER} of ${len} bytes)` };
    const body = buf.subarray(off + HEADER, off + HEADER + len);
    if (crc32(body) !== sum) return { payloads, end: off, problem: `checksum mismatch in record at byte ${off}` };
    payloads.push(body.toString('utf8'));
    off += HEADER + len;
  }
  return { payloads, end: off };
}

/**
 * Offset of an intact frame starting after `from`, if any. A crash can only tear
 * the last append, so damage followed by intact records is not a torn tail but
 * corruption in the middle of the log, which must not be silently truncated.
 */
export function intactFrameAfter(buf: Buffer, from: number): number | undefined {
  const brace = '{'.charCodeAt(0);
  for (let off = from + 1; off + HEADER < buf.length; off++) {
    const len = buf.readUInt32BE(off);
    if (len === 0 || len > buf.length - off - HEADER || buf[off + HEADER] !== brace) continue;
    if (crc32(buf.subarray(off + HEADER, off + HEADER + len)) === buf.readUInt32BE(off + 4)) return off;
  }
  return undefined;
}

/** What a damaged log tail (from `from` on) held, as far as its frame headers tell: for the recovery report. */
export function describeTail(buf: Buffer, from: number): { records: number; revisions: number[] } {
  let records = 0;
  const revisions: number[] = [];
  for (let off = from; buf.length - off >= HEADER; ) {
    const len = buf.readUInt32BE(off);
    if (len === 0 || len > MAX_RECORD) break;
    records++;
    // A record starts with {"rev":N (putPayload, deletePayload), so even a cut one names its revision.
    const m = /^\{"rev":(\d+)[,}]/.exec(buf.subarray(off + HEADER, Math.min(buf.length, off + HEADER + 32)).toString('latin1'));
    if (m) revisions.push(Number(m[1]));
    off += HEADER + len;
  }
  return { records, revisions };
}

/** One write in the log; snapshot files hold one `put` per stored object. */
export type LogRecord =
  | { rev: number; op: 'put'; resource: string; namespace: string; name: string; object: KObject }
  | { rev: number; op: 'delete'; resource: string; namespace: string; name: string };

/** A put record around already-serialized object JSON (so each object is stringified once). */
export function putPayload(rev: number, key: ObjectKey, objectJSON: string): string {
  return `{"rev":${rev},"op":"put","resource":${JSON.stringify(key.resource)},"namespace":${JSON.stringify(key.namespace)},"name":${JSON.stringify(key.name)},"object":${objectJSON}}`;
}

export function deletePayload(rev: number, key: ObjectKey): string {
  return JSON.stringify({ rev, op: 'delete', resource: key.resource, namespace: key.namespace, name: key.name });
}

/** Parses a log payload; throws a descriptive Error for anything that is not a well-formed record. */
export function parseRecord(payload: string): LogRecord {
  const r = JSON.parse(payload) as LogRecord;
  const ok =
    r !== null &&
    typeof r === 'object' &&
    Number.isSafeInteger(r.rev) &&
    typeof r.resource === 'string' &&
    typeof r.namespace === 'string' &&
    typeof r.name === 'string' &&
    (r.op === 'delete' || (r.op === 'put' && typeof r.object === 'object' && r.object !== null));
  if (!ok) throw new Error(`malformed record ${payload.slice(0, 80)}`);
  return r;
}
