// Decoding of Kubernetes protobuf request bodies for the few built-in kinds
// kubectl sends that way. kubectl's typed clients (`kubectl create namespace`,
// `create configmap`, `create secret`) POST `application/vnd.kubernetes.protobuf`
// and never fall back to JSON, so a server that only speaks JSON breaks them.
//
// The envelope is the 4-byte magic "k8s\0" followed by runtime.Unknown
// {typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4};
// `raw` is the typed object in proto2 wire format (field numbers from
// k8s.io/api generated.proto). We decode exactly the fields a create can
// carry into the JSON shape the registry takes; responses are always JSON
// (kubectl also accepts it). Unknown kinds are 415.

import { ApiError } from '../api/errors.js';
import { setKey } from '../api/object.js';

type Field = { wire: number; num?: number; bytes?: Buffer };
type Message = Map<number, Field[]>;

function readVarint(b: Buffer, pos: { i: number }): number {
  let result = 0;
  let mul = 1;
  for (let n = 0; n < 10; n++) {
    if (pos.i >= b.length) throw new Error('truncated varint');
    const byte = b[pos.i++];
    result += (byte & 0x7f) * mul;
    if ((byte & 0x80) === 0) return result;
    mul *= 128;
  }
  throw new Error('varint too long');
}

function parse(b: Buffer): Message {
  const m: Message = new Map();
  const pos = { i: 0 };
  while (pos.i < b.length) {
    const tag = readVarint(b, pos);
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    let f: Field;
    if (wire === 0) f = { wire, num: readVarint(b, pos) };
    else if (wire === 2) {
      const len = readVarint(b, pos);
      if (pos.i + len > b.length) throw new Error('truncated field');
      f = { wire, bytes: b.subarray(pos.i, pos.i + len) };
      pos.i += len;
    } else if (wire === 1) {
      pos.i += 8;
      f = { wire };
    } else if (wire === 5) {
      pos.i += 4;
      f = { wire };
    } else throw new Error(`unsupported wire type ${wire}`);
    const l = m.get(num) ?? [];
    l.push(f);
    m.set(num, l);
  }
  return m;
}

const str = (m: Message, n: number): string | undefined => m.get(n)?.at(-1)?.bytes?.toString('utf8');
const strs = (m: Message, n: number): string[] => (m.get(n) ?? []).map((f) => f.bytes?.toString('utf8') ?? '');
const bool = (m: Message, n: number): boolean | undefined => (m.has(n) ? m.get(n)!.at(-1)!.num === 1 : undefined);
const msg = (m: Message, n: number): Message | undefined => {
  const b = m.get(n)?.at(-1)?.bytes;
  return b ? parse(b) : undefined;
};

function map(m: Message, n: number, asBase64 = false): Record<string, string> | undefined {
  const entries = m.get(n);
  if (!entries) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const em = parse(e.bytes ?? Buffer.alloc(0));
    const v = em.get(2)?.at(-1)?.bytes ?? Buffer.alloc(0);
    setKey(out, str(em, 1) ?? '', asBase64 ? v.toString('base64') : v.toString('utf8'));
  }
  return out;
}

function objectMeta(m: Message | undefined): Record<string, unknown> {
  if (!m) return {};
  const meta: Record<string, unknown> = {};
  const set = (k: string, v: unknown) => {
    if (v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)) meta[k] = v;
  };
  set('name', str(m, 1));
  set('generateName', str(m, 2));
  set('namespace', str(m, 3));
  set('resourceVersion', str(m, 6));
  set('labels', map(m, 11));
  set('annotations', map(m, 12));
  set(
    'ownerReferences',
    (m.get(13) ?? []).map((f) => {
      const r = parse(f.bytes ?? Buffer.alloc(0));
      const ref: Record<string, unknown> = { apiVersion: str(r, 5) ?? '', kind: str(r, 1) ?? '', name: str(r, 3) ?? '', uid: str(r, 4) ?? '' };
      if (bool(r, 6) !== undefined) ref.controller = bool(r, 6);
      if (bool(r, 7) !== undefined) ref.blockOwnerDeletion = bool(r, 7);
      return ref;
    }),
  );
  set('finalizers', strs(m, 14));
  return meta;
}

const decoders: Record<string, (m: Message) => Record<string, unknown>> = {
  Namespace: (m) => ({ metadata: objectMeta(msg(m, 1)), spec: { finalizers: strs(msg(m, 2) ?? new Map(), 1) } }),
  ConfigMap: (m) => {
    const o: Record<string, unknown> = { metadata: objectMeta(msg(m, 1)) };
    if (m.has(2)) o.data = map(m, 2);
    if (m.has(3)) o.binaryData = map(m, 3, true);
    if (bool(m, 4) !== undefined) o.immutable = bool(m, 4);
    return o;
  },
  Secret: (m) => {
    const o: Record<string, unknown> = { metadata: objectMeta(msg(m, 1)) };
    if (m.has(2)) o.data = map(m, 2, true);
    if (str(m, 3)) o.type = str(m, 3);
    if (m.has(4)) o.stringData = map(m, 4);
    if (bool(m, 5) !== undefined) o.immutable = bool(m, 5);
    return o;
  },
  // The review requests of `kubectl auth` (auth.ts), keyed by group/version/kind.
  'authentication.k8s.io/v1/SelfSubjectReview': () => ({ metadata: {} }),
  'authorization.k8s.io/v1/SelfSubjectAccessReview': (m) => {
    const spec = msg(m, 2) ?? new Map();
    const out: Record<string, unknown> = {};
    const attrs = (a: Message, names: string[]) => Object.fromEntries(names.map((k, i) => [k, str(a, i + 1)]).filter(([, v]) => v !== undefined && v !== ''));
    const ra = msg(spec, 1);
    if (ra) out.resourceAttributes = attrs(ra, ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name']);
    const nra = msg(spec, 2);
    if (nra) out.nonResourceAttributes = attrs(nra, ['path', 'verb']);
    return { metadata: {}, spec: out };
  },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': (m) => ({ metadata: {}, spec: { namespace: str(msg(m, 2) ?? new Map(), 1) ?? '' } }),
};

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

/** Decodes a protobuf-encoded built-in object into its JSON form. */
export function decodeProtobuf(buf: Buffer): Record<string, unknown> {
  if (buf.length < 4 || buf[0] !== 0x6b || buf[1] !== 0x38 || buf[2] !== 0x73 || buf[3] !== 0) throw new ApiError('BadRequest', 'the body of the request could not be decoded: missing protobuf magic "k8s\\0"');
  try {
    const unknown = parse(buf.subarray(4));
    const tm = msg(unknown, 1) ?? new Map();
    const apiVersion = str(tm, 1) ?? '';
    const kind = str(tm, 2) ?? '';
    const decode = decoders[apiVersion === 'v1' ? kind : `${apiVersion}/${kind}`];
    if (!decode) throw new ApiError('UnsupportedMediaType', `protobuf bodies are supported only for ${Object.keys(decoders).map((k) => (k.includes('/') ? k : `v1/${k}`)).join(', ')}; send ${apiVersion} ${kind} as application/json`);
    return { apiVersion, kind, ...decode(parse(unknown.get(2)?.at(-1)?.bytes ?? Buffer.alloc(0))) };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError('BadRequest', `the body of the request could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
  }
}
