// HTTP plumbing shared by every handler: reading a size-limited body, parsing
// JSON/YAML by Content-Type, choosing a response form from Accept (plain
// JSON/YAML, meta.k8s.io Table, PartialObjectMetadata), and writing objects
// and `kind: Status` errors. No web framework: node's http module is enough
// and keeps the per-request cost to what we actually do.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { LineCounter, stringify as stringifyYaml } from 'yaml';
import { DecodeLimitError, jsonNestingDepth, maxNesting, parseYamlDocuments, valueDepth } from '../api/decode.js';
import { ApiError, type Status } from '../api/errors.js';
import { decodeProtobuf, protobufMediaType } from './protobuf.js';

export const defaultBodyLimit = 3 * 1024 * 1024;

/** What the client asked to receive. */
export type ResponseForm = { kind: 'json' | 'yaml' } | { kind: 'table'; version: 'v1' | 'v1beta1' } | { kind: 'metadata'; version: 'v1' | 'v1beta1' };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part) => {
      const [type, ...ps] = part.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of ps) {
        const i = p.indexOf('=');
        if (i > 0) params[p.slice(0, i).trim()] = p.slice(i + 1).trim();
      }
      return { type: (type ?? '').toLowerCase(), params };
    })
    .filter((m) => m.type !== '');
}

/**
 * Picks the first acceptable form in the client's order. `allowTransform`
 * is false where Table/metadata make no sense (e.g. Status-only endpoints).
 */
export function negotiate(accept: string | undefined, allowTransform = true): ResponseForm {
  if (!accept) return { kind: 'json' };
  for (const m of parseAccept(accept)) {
    const isJson = m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*';
    if (m.params.as) {
      if (!isJson || m.params.g !== 'meta.k8s.io' || (m.params.v !== 'v1' && m.params.v !== 'v1beta1') || !allowTransform) continue;
      const version = m.params.v;
      if (m.params.as === 'Table') return { kind: 'table', version };
      if (m.params.as === 'PartialObjectMetadata' || m.params.as === 'PartialObjectMetadataList') return { kind: 'metadata', version };
      continue;
    }
    if (isJson) return { kind: 'json' };
    if (m.type === 'application/yaml') return { kind: 'yaml' };
  }
  throw new ApiError('NotAcceptable', `only the following media types are accepted: application/json, application/yaml`);
}

/** kube-apiserver's words for a body over its limit (3 MiB by default, as ours). */
const tooLarge = (limit: number) => new ApiError('RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);

/** Reads the request body up to `limit` bytes; larger bodies are 413. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      return reject(tooLarge(limit));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0; // the rest is read and dropped
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => failed || resolve(Buffer.concat(chunks)));
    req.on('error', (e) => failed || reject(e));
  });
}

/** The media type of a request body, lower-cased, parameters dropped. */
export function contentType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** Parses a JSON (or, for YAML media types, YAML) body; malformed or too deeply nested input is 400. */
export function parseBody(buf: Buffer, mediaType: string): unknown {
  if (mediaType === protobufMediaType) return decodeProtobuf(buf);
  if (mediaType !== '' && mediaType !== 'application/json' && !mediaType.endsWith('yaml') && !mediaType.endsWith('+json'))
    throw new ApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  const text = buf.toString('utf8');
  if (text.trim() === '') throw new ApiError('BadRequest', 'the request body is empty');
  const yaml = mediaType.endsWith('yaml');
  if (!yaml && jsonNestingDepth(text) > maxNesting) throw tooDeep();
  try {
    if (!yaml) return JSON.parse(text);
    const v = parseYamlBody(text);
    if (valueDepth(v) > maxNesting) throw tooDeep();
    return v;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof DecodeLimitError) throw new ApiError('BadRequest', `the body of the request is ${err.message}`);
    throw new ApiError('BadRequest', `the body of the request could not be decoded: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

/** About 40,000 lines of block YAML; larger manifests come as JSON (kubectl) or get split. */
const maxYamlTokens = 200_000;

const tooDeep = () => new ApiError('BadRequest', `the body of the request is nested deeper than ${maxNesting} levels`);

/**
 * One YAML document (a second one is an error), nesting and tokens bounded while parsing, aliases while
 * converting. JSON (what kubectl sends, also for apply patches) goes to JSON.parse, fast at any size.
 */
function parseYamlBody(text: string): unknown {
  const c = text.trimStart().charCodeAt(0);
  if (c === 123 || c === 91) {
    try {
      if (jsonNestingDepth(text) > maxNesting) throw tooDeep();
      return JSON.parse(text);
    } catch (err) {
      if (err instanceof ApiError) throw err; // not JSON after all: flow-style YAML
    }
  }
  const lines = new LineCounter();
  const docs = parseYamlDocuments(text, { lineCounter: lines, maxTokens: maxYamlTokens });
  if (docs.length === 0) return null;
  if (docs.length > 1) throw new Error('Source contains multiple documents');
  const e = docs[0].errors[0];
  if (e) {
    const p = lines.linePos(e.pos[0]);
    throw new Error(`${e.message.split('\n')[0]} at line ${p.line}, column ${p.col}`);
  }
  return docs[0].toJS({ maxAliasCount: 100 });
}

export function writeObject(res: ServerResponse, code: number, body: unknown, form: ResponseForm = { kind: 'json' }, headers: Record<string, string | string[]> = {}): void {
  const yaml = form.kind === 'yaml';
  const text = yaml ? stringifyYaml(body) : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': yaml ? 'application/yaml' : 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function writeStatus(res: ServerResponse, err: ApiError, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeObject(res, err.code, err.toStatus(), { kind: 'json' }, headers);
}

/** A success Status (deletecollection's answer); kube-apiserver sends it without a reason. */
export function successStatus(details?: Status['details']): Omit<Status, 'reason' | 'status' | 'message'> & { status: 'Success' } {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}

/** A `Warning` header value (RFC 7234 style, as kube-apiserver sends). */
export function warningHeader(texts: string[]): string[] {
  return texts.map((t) => `299 - ${JSON.stringify(t)}`);
}
