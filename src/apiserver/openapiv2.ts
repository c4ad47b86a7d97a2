// /openapi/v2: the Swagger 2.0 document of every served type, derived from the
// per-group/version OpenAPI v3 documents (openapi.ts), in JSON and in the
// protobuf form kubectl reads (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`,
// gnostic's openapi_v2.Document; kubectl never asks for the JSON).
//
// Key idea: the v3 documents are the single source; conversion rewrites refs
// (#/components/schemas → #/definitions), request bodies into `in: body`
// parameters, parameter schemas into v2's inline type, and drops what v2
// lacks (nullable, anyOf/oneOf). The protobuf is written by a small
// hand-rolled proto3 writer (the server decodes protobuf the same way,
// protobuf.ts); vendor extensions travel as YAML text, JSON being YAML.
// Both forms are cached until the set of served types changes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpenApi } from './openapi.js';

type J = Record<string, unknown>;

export const openapiV2ProtoMedia = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** Whether an Accept header asks for the protobuf form. */
export function wantsProtobufV2(accept: string | undefined): boolean {
  return !!accept && /application\/com\.github\.proto-openapi\.spec\.v2[@.]v1\.0\+protobuf/.test(accept);
}

const refV3 = '#/components/schemas/';

function schemaV2(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(schemaV2);
  if (s === null || typeof s !== 'object') return s;
  const out: J = {};
  for (const [k, v] of Object.entries(s as J)) {
    if (k === 'nullable' || k === 'anyOf' || k === 'oneOf') continue;
    // v3's `allOf: [{$ref}]` (a ref with a description beside it) is a plain `$ref` in v2, as kube-apiserver writes it.
    if (k === 'allOf' && Array.isArray(v) && v.length === 1 && Object.keys(v[0] as J).length === 1 && typeof (v[0] as J).$ref === 'string') {
      out.$ref = (schemaV2(v[0]) as J).$ref;
      continue;
    }
    if (k === '$ref' && typeof v === 'string') out[k] = v.startsWith(refV3) ? `#/definitions/${v.slice(refV3.length)}` : v;
    else if (k === 'properties' && v && typeof v === 'object') out[k] = Object.fromEntries(Object.entries(v as J).map(([p, ps]) => [p, schemaV2(ps)]));
    else if (k === 'default' || k === 'enum' || k === 'example' || k.startsWith('x-')) out[k] = v;
    else out[k] = typeof v === 'object' ? schemaV2(v) : v;
  }
  return out;
}

function operationV2(op: J): J {
  const out: J = {};
  for (const [k, v] of Object.entries(op)) {
    if (k === 'parameters') continue;
    if (k === 'requestBody' || k === 'responses') continue;
    out[k] = v;
  }
  const params: J[] = ((op.parameters as J[] | undefined) ?? []).map(paramV2);
  const body = op.requestBody as { content?: Record<string, { schema?: unknown }>; required?: boolean } | undefined;
  if (body?.content) {
    const types = Object.keys(body.content);
    params.unshift({ name: 'body', in: 'body', required: true, schema: schemaV2(body.content[types[0]]?.schema) });
    out.consumes = types;
  }
  out.produces = ['application/json', 'application/yaml'];
  if (params.length) out.parameters = params;
  const responses: J = {};
  for (const [code, r] of Object.entries((op.responses as Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>) ?? {})) {
    const schema = r.content?.['application/json']?.schema;
    responses[code] = { description: r.description ?? '', ...(schema ? { schema: schemaV2(schema) } : {}) };
  }
  out.responses = responses;
  return out;
}

function paramV2(p: J): J {
  const { schema, ...rest } = p as J & { schema?: J };
  return { ...rest, ...(schema ?? {}) };
}

/** The Swagger 2.0 document of every group/version the v3 documents cover. */
export function buildSwagger(openapi: OpenApi): J {
  const paths: J = {};
  const definitions: J = {};
  const index = JSON.parse(openapi.root()) as { paths: Record<string, unknown> };
  for (const key of Object.keys(index.paths).sort()) {
    const doc = JSON.parse(openapi.document(key).body) as { paths: Record<string, J>; components: { schemas: J } };
    for (const [name, s] of Object.entries(doc.components.schemas)) definitions[name] = schemaV2(s);
    for (const [path, item] of Object.entries(doc.paths)) {
      const v2: J = {};
      for (const [k, v] of Object.entries(item)) v2[k] = k === 'parameters' ? (v as J[]).map(paramV2) : operationV2(v as J);
      paths[path] = v2;
    }
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, definitions };
}

// ---------------------------------------------------------------------------
// proto3 writer (gnostic OpenAPIv2.proto field numbers)

class Pb {
  private chunks: Buffer[] = [];
  private varint(n: number): void {
    const b: number[] = [];
    while (n > 127) {
      b.push((n % 128) | 128);
      n = Math.floor(n / 128);
    }
    b.push(n);
    this.chunks.push(Buffer.from(b));
  }
  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }
  str(field: number, s: unknown): this {
    if (typeof s !== 'string' || s === '') return this;
    const b = Buffer.from(s, 'utf8');
    this.tag(field, 2);
    this.varint(b.length);
    this.chunks.push(b);
    return this;
  }
  strs(field: number, l: unknown): this {
    if (Array.isArray(l)) for (const s of l) this.str(field, String(s));
    return this;
  }
  bool(field: number, v: unknown): this {
    if (v === true) {
      this.tag(field, 0);
      this.varint(1);
    }
    return this;
  }
  int(field: number, v: unknown): this {
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) {
      this.tag(field, 0);
      this.varint(v);
    }
    return this;
  }
  double(field: number, v: unknown): this {
    if (typeof v !== 'number') return this;
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    this.tag(field, 1);
    this.chunks.push(b);
    return this;
  }
  msg(field: number, m: Pb | undefined): this {
    if (!m) return this;
    const b = m.bytes();
    this.tag(field, 2);
    this.varint(b.length);
    this.chunks.push(b);
    return this;
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** openapi_v2.Any: the value as YAML text (JSON is YAML). */
const anyValue = (v: unknown) => new Pb().str(2, JSON.stringify(v));
const named = (name: string, value: Pb) => new Pb().str(1, name).msg(2, value);

function vendorExtensions(p: Pb, field: number, o: J): void {
  for (const [k, v] of Object.entries(o)) if (k.startsWith('x-')) p.msg(field, named(k, anyValue(v)));
}

function schemaPb(s: J): Pb {
  const p = new Pb().str(1, s.$ref).str(2, s.format).str(3, s.title).str(4, s.description);
  if (s.default !== undefined) p.msg(5, anyValue(s.default));
  p.double(6, s.multipleOf).double(7, s.maximum).bool(8, s.exclusiveMaximum).double(9, s.minimum).bool(10, s.exclusiveMinimum);
  p.int(11, s.maxLength).int(12, s.minLength).str(13, s.pattern).int(14, s.maxItems).int(15, s.minItems).bool(16, s.uniqueItems);
  p.int(17, s.maxProperties).int(18, s.minProperties).strs(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) p.msg(20, anyValue(e));
  const ap = s.additionalProperties;
  if (ap !== undefined) p.msg(21, typeof ap === 'boolean' ? new Pb().bool(2, ap) : new Pb().msg(1, schemaPb(ap as J)));
  if (s.type !== undefined) p.msg(22, new Pb().strs(1, Array.isArray(s.type) ? s.type : [s.type]));
  if (s.items && typeof s.items === 'object') p.msg(23, new Pb().msg(1, schemaPb(s.items as J)));
  if (Array.isArray(s.allOf)) for (const a of s.allOf) p.msg(24, schemaPb(a as J));
  if (s.properties && typeof s.properties === 'object') {
    const props = new Pb();
    for (const [name, ps] of Object.entries(s.properties as J)) props.msg(1, named(name, schemaPb(ps as J)));
    p.msg(25, props);
  }
  p.bool(27, s.readOnly);
  if (s.example !== undefined) p.msg(30, anyValue(s.example));
  vendorExtensions(p, 31, s);
  return p;
}

function parameterPb(par: J): Pb {
  if (par.in === 'body') return new Pb().msg(1, new Pb().msg(1, new Pb().str(1, par.description).str(2, par.name).str(3, par.in).bool(4, par.required).msg(5, schemaPb((par.schema ?? {}) as J))));
  // Query and path parameters share the leading fields; their `type` sits at 6 (query) and 5 (path).
  const sub = new Pb().bool(1, par.required).str(2, par.in).str(3, par.description).str(4, par.name);
  const nonBody = par.in === 'path' ? new Pb().msg(4, sub.str(5, par.type)) : new Pb().msg(3, sub.str(6, par.type));
  return new Pb().msg(1, new Pb().msg(2, nonBody));
}

function operationPb(op: J): Pb {
  const p = new Pb().strs(1, op.tags).str(3, op.description).str(5, op.operationId).strs(6, op.produces).strs(7, op.consumes);
  for (const par of (op.parameters as J[] | undefined) ?? []) p.msg(8, parameterPb(par));
  const responses = new Pb();
  for (const [code, r] of Object.entries((op.responses as Record<string, J>) ?? {})) {
    const resp = new Pb().str(1, r.description);
    if (r.schema) resp.msg(2, new Pb().msg(1, schemaPb(r.schema as J)));
    responses.msg(1, named(code, new Pb().msg(1, resp)));
  }
  p.msg(9, responses);
  vendorExtensions(p, 13, op);
  return p;
}

const methodFields: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

/** The gnostic openapi_v2.Document encoding of a Swagger document. */
export function swaggerProtobuf(doc: J): Buffer {
  const info = doc.info as J;
  const d = new Pb().str(1, doc.swagger).msg(2, new Pb().str(1, info.title).str(2, info.version));
  const paths = new Pb();
  for (const [path, item] of Object.entries(doc.paths as Record<string, J>)) {
    const pi = new Pb();
    for (const [k, v] of Object.entries(item)) {
      if (k === 'parameters') for (const par of v as J[]) pi.msg(9, parameterPb(par));
      else if (methodFields[k]) pi.msg(methodFields[k], operationPb(v as J));
    }
    paths.msg(2, named(path, pi));
  }
  d.msg(8, paths);
  const defs = new Pb();
  for (const [name, s] of Object.entries(doc.definitions as J)) defs.msg(1, named(name, schemaPb(s as J)));
  d.msg(9, defs);
  return d.bytes();
}

/** Both forms, rebuilt only when the v3 index (hence some schema) changes. */
export class OpenApiV2 {
  private key = '';
  private json = '';
  private proto: Buffer = Buffer.alloc(0);

  constructor(private readonly v3: OpenApi) {}

  get(): { json: string; proto: Buffer; etag: string } {
    const key = this.v3.root();
    if (key !== this.key) {
      const doc = buildSwagger(this.v3);
      this.json = JSON.stringify(doc);
      this.proto = swaggerProtobuf(doc);
      this.key = key;
    }
    return { json: this.json, proto: this.proto, etag: `"${hashOf(this.key)}"` };
  }
}

function hashOf(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return (h >>> 0).toString(16).toUpperCase();
}

/** Writes the protobuf form when the Accept header asks for it, JSON otherwise. */
export function serveOpenApiV2(req: IncomingMessage, res: ServerResponse, v2: OpenApiV2): void {
  const { json, proto, etag } = v2.get();
  const pb = wantsProtobufV2(req.headers.accept);
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { Etag: etag, Vary: 'Accept' });
    res.end();
    return;
  }
  const body = pb ? proto : Buffer.from(json);
  res.writeHead(200, { 'Content-Type': pb ? openapiV2ProtoMedia : 'application/json', 'Content-Length': body.length, Etag: etag, Vary: 'Accept' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
