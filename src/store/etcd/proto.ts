// The protobuf wire form of the few etcd KV messages on the store's hot path
// (Range and Txn requests and responses, nested txns included, etcd's api/etcdserverpb/rpc.proto and
// mvccpb/kv.proto), encoded and decoded by hand for kvclient.ts.
//
// Key idea: a write or a point read needs a handful of fields, and the general
// path (etcd3 → @grpc/proto-loader → protobufjs, int64 through Long) costs more
// CPU per call than the rest of the call; writing the bytes directly and
// reading back only the fields we use is a few dozen lines. Revisions are
// int64 on the wire and strings here (as etcd3 gives them), read as numbers:
// etcd revisions stay far below 2^53.
//
// Trade-off: the field numbers are ours to keep in step with etcd's proto
// (stable since v3.0: etcd never renumbers fields); anything off the hot path
// (lists, watches, leases, compaction) keeps going through etcd3.

export interface KeyValue {
  key: Buffer;
  value: Buffer;
  create_revision: string;
  mod_revision: string;
  version: string;
  lease: string;
}

export interface RangeRequest {
  key: Buffer;
  range_end?: Buffer;
  limit?: number;
  keys_only?: boolean;
}

export interface Compare {
  key: Buffer;
  target: 'Version' | 'Create' | 'Mod';
  result: 'Equal' | 'Greater' | 'Less' | 'NotEqual';
  create_revision?: number | string;
  mod_revision?: number | string;
  version?: number | string;
}

export type RequestOp =
  | { request_range: RangeRequest }
  | { request_put: { key: Buffer; value: Buffer } }
  | { request_delete_range: { key: Buffer; prev_kv?: boolean } }
  /** A nested txn (etcd ≥ 3.3): its own compares and branches, inside the outer txn's revision. */
  | { request_txn: TxnRequest };

export interface TxnRequest {
  compare?: Compare[];
  success?: RequestOp[];
  failure?: RequestOp[];
}

export interface RangeResponse {
  header: { revision: string };
  kvs: KeyValue[];
}

export interface ResponseOp {
  response_range?: { kvs: KeyValue[] };
  response_put?: object;
  response_delete_range?: { prev_kvs: KeyValue[] };
  response_txn?: TxnResponse;
}

export interface WatchCreateRequest {
  key: Buffer;
  range_end: Buffer;
  start_revision: number;
  prev_kv?: boolean;
  progress_notify?: boolean;
}

export interface Event {
  type: 'Put' | 'Delete';
  kv: KeyValue;
  prev_kv?: KeyValue;
}

export interface WatchResponse {
  header: { revision: string };
  created: boolean;
  canceled: boolean;
  compact_revision: string;
  cancel_reason: string;
  events: Event[];
}

export interface TxnResponse {
  header: { revision: string };
  succeeded: boolean;
  responses: ResponseOp[];
}

const results = { Equal: 0, Greater: 1, Less: 2, NotEqual: 3 } as const;
const targets = { Version: 0, Create: 1, Mod: 2 } as const;

/**
 * A message to encode: its fields in order, each a varint, bytes, or a nested
 * message. Encoding is two passes (sizes, then bytes) into one buffer, which
 * starts with the 5-byte gRPC message prefix so the transport sends it as is.
 */
type Field = { n: number; v: number } | { n: number; b: Buffer } | { n: number; m: Message };
interface Message {
  fields: Field[];
  /** Encoded size, filled by the first pass. */
  size?: number;
}

function varintSize(n: number): number {
  let size = 1;
  while (n > 127) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function messageSize(m: Message): number {
  let size = 0;
  for (const f of m.fields) {
    const tag = varintSize(f.n << 3);
    if ('v' in f) size += tag + varintSize(f.v);
    else {
      const len = 'b' in f ? f.b.length : messageSize(f.m);
      size += tag + varintSize(len) + len;
    }
  }
  m.size = size;
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n > 127) {
    buf[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

function writeMessage(buf: Buffer, pos: number, m: Message): number {
  for (const f of m.fields) {
    if ('v' in f) {
      pos = writeVarint(buf, pos, f.n << 3);
      pos = writeVarint(buf, pos, f.v);
    } else if ('b' in f) {
      pos = writeVarint(buf, pos, (f.n << 3) | 2);
      pos = writeVarint(buf, pos, f.b.length);
      pos += f.b.copy(buf, pos);
    } else {
      pos = writeVarint(buf, pos, (f.n << 3) | 2);
      pos = writeVarint(buf, pos, f.m.size!);
      pos = writeMessage(buf, pos, f.m);
    }
  }
  return pos;
}

/** The gRPC frame of a message: compressed flag 0, 4-byte big-endian length, the protobuf bytes. */
function frame(m: Message): Buffer {
  const size = messageSize(m);
  const buf = Buffer.allocUnsafe(5 + size);
  buf[0] = 0;
  buf.writeUInt32BE(size, 1);
  writeMessage(buf, 5, m);
  return buf;
}

function rangeMessage(r: RangeRequest): Message {
  const fields: Field[] = [{ n: 1, b: r.key }];
  if (r.range_end) fields.push({ n: 2, b: r.range_end });
  if (r.limit) fields.push({ n: 3, v: r.limit });
  if (r.keys_only) fields.push({ n: 8, v: 1 });
  return { fields };
}

function compareMessage(c: Compare): Message {
  const fields: Field[] = [];
  if (results[c.result]) fields.push({ n: 1, v: results[c.result] });
  if (targets[c.target]) fields.push({ n: 2, v: targets[c.target] });
  fields.push({ n: 3, b: c.key });
  // The target_union oneof: emitted even when 0, so etcd sees which one is set.
  if (c.target === 'Version') fields.push({ n: 4, v: Number(c.version ?? 0) });
  else if (c.target === 'Create') fields.push({ n: 5, v: Number(c.create_revision ?? 0) });
  else fields.push({ n: 6, v: Number(c.mod_revision ?? 0) });
  return { fields };
}

function opMessage(op: RequestOp): Message {
  if ('request_txn' in op) return { fields: [{ n: 4, m: txnMessage(op.request_txn) }] };
  if ('request_range' in op) return { fields: [{ n: 1, m: rangeMessage(op.request_range) }] };
  if ('request_put' in op) return { fields: [{ n: 2, m: { fields: [{ n: 1, b: op.request_put.key }, { n: 2, b: op.request_put.value }] } }] };
  const d = op.request_delete_range;
  const fields: Field[] = [{ n: 1, b: d.key }];
  if (d.prev_kv) fields.push({ n: 3, v: 1 });
  return { fields: [{ n: 3, m: { fields } }] };
}

/** A RangeRequest as a gRPC frame. */
export function encodeRange(r: RangeRequest): Buffer {
  return frame(rangeMessage(r));
}

function txnMessage(t: TxnRequest): Message {
  const fields: Field[] = [];
  for (const c of t.compare ?? []) fields.push({ n: 1, m: compareMessage(c) });
  for (const op of t.success ?? []) fields.push({ n: 2, m: opMessage(op) });
  for (const op of t.failure ?? []) fields.push({ n: 3, m: opMessage(op) });
  return { fields };
}

/** A TxnRequest as a gRPC frame. */
export function encodeTxn(t: TxnRequest): Buffer {
  return frame(txnMessage(t));
}

/** A WatchRequest carrying a create_request, as a gRPC frame. */
export function encodeWatchCreate(w: WatchCreateRequest): Buffer {
  const fields: Field[] = [{ n: 1, b: w.key }, { n: 2, b: w.range_end }, { n: 3, v: w.start_revision }];
  if (w.progress_notify) fields.push({ n: 4, v: 1 });
  if (w.prev_kv) fields.push({ n: 6, v: 1 });
  return frame({ fields: [{ n: 1, m: { fields } }] });
}

/** Reads the fields of one message, calling `onField` with each field's number and value. */
function readFields(buf: Buffer, onField: (field: number, value: number | Buffer) => void): void {
  let pos = 0;
  const varint = (): number => {
    let n = 0;
    let mul = 1;
    for (;;) {
      if (pos >= buf.length) throw new Error('etcd response: truncated varint');
      const b = buf[pos++]!;
      n += (b & 127) * mul;
      if (b < 128) return n;
      mul *= 128;
    }
  };
  while (pos < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    switch (tag & 7) {
      case 0:
        onField(field, varint());
        break;
      case 2: {
        const len = varint();
        if (pos + len > buf.length) throw new Error('etcd response: truncated field');
        onField(field, buf.subarray(pos, pos + len));
        pos += len;
        break;
      }
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      default:
        throw new Error(`etcd response: unsupported wire type ${tag & 7}`);
    }
  }
}

const empty = Buffer.alloc(0);

function decodeKeyValue(buf: Buffer): KeyValue {
  const kv: KeyValue = { key: empty, value: empty, create_revision: '0', mod_revision: '0', version: '0', lease: '0' };
  readFields(buf, (f, v) => {
    if (f === 1) kv.key = v as Buffer;
    else if (f === 2) kv.create_revision = String(v);
    else if (f === 3) kv.mod_revision = String(v);
    else if (f === 4) kv.version = String(v);
    else if (f === 5) kv.value = v as Buffer;
    else if (f === 6) kv.lease = String(v);
  });
  return kv;
}

function decodeHeader(buf: Buffer): { revision: string } {
  let revision = '0';
  readFields(buf, (f, v) => {
    if (f === 3) revision = String(v);
  });
  return { revision };
}

export function decodeRangeResponse(buf: Buffer): RangeResponse {
  const res: RangeResponse = { header: { revision: '0' }, kvs: [] };
  readFields(buf, (f, v) => {
    if (f === 1) res.header = decodeHeader(v as Buffer);
    else if (f === 2) res.kvs.push(decodeKeyValue(v as Buffer));
  });
  return res;
}

function decodeResponseOp(buf: Buffer): ResponseOp {
  const op: ResponseOp = {};
  readFields(buf, (f, v) => {
    if (f === 1) op.response_range = decodeRangeResponse(v as Buffer);
    else if (f === 2) op.response_put = {};
    else if (f === 3) {
      const prev_kvs: KeyValue[] = [];
      readFields(v as Buffer, (g, w) => {
        if (g === 3) prev_kvs.push(decodeKeyValue(w as Buffer));
      });
      op.response_delete_range = { prev_kvs };
    } else if (f === 4) op.response_txn = decodeTxnResponse(v as Buffer);
  });
  return op;
}

export function decodeTxnResponse(buf: Buffer): TxnResponse {
  const res: TxnResponse = { header: { revision: '0' }, succeeded: false, responses: [] };
  readFields(buf, (f, v) => {
    if (f === 1) res.header = decodeHeader(v as Buffer);
    else if (f === 2) res.succeeded = v === 1;
    else if (f === 3) res.responses.push(decodeResponseOp(v as Buffer));
  });
  return res;
}

function decodeEvent(buf: Buffer): Event {
  const ev: Event = { type: 'Put', kv: decodeKeyValue(empty) };
  readFields(buf, (f, v) => {
    if (f === 1) ev.type = v === 1 ? 'Delete' : 'Put';
    else if (f === 2) ev.kv = decodeKeyValue(v as Buffer);
    else if (f === 3) ev.prev_kv = decodeKeyValue(v as Buffer);
  });
  return ev;
}

export function decodeWatchResponse(buf: Buffer): WatchResponse {
  const res: WatchResponse = { header: { revision: '0' }, created: false, canceled: false, compact_revision: '0', cancel_reason: '', events: [] };
  readFields(buf, (f, v) => {
    if (f === 1) res.header = decodeHeader(v as Buffer);
    else if (f === 3) res.created = v === 1;
    else if (f === 4) res.canceled = v === 1;
    else if (f === 5) res.compact_revision = String(v);
    else if (f === 6) res.cancel_reason = (v as Buffer).toString('utf8');
    else if (f === 11) res.events.push(decodeEvent(v as Buffer));
  });
  return res;
}
