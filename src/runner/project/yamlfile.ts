// Reading YAML manifests with positions. Every document of a (multi-document)
// file becomes a Manifest that remembers its file and the line/column where it
// starts, so any later error about it (unknown kind, schema violation) can name
// the place a user must edit. Syntax errors carry file:line:col of the fault.

import { readFile } from 'node:fs/promises';
import { LineCounter, type Document } from 'yaml';
import { DecodeLimitError, maxNesting, parseYamlDocuments, valueDepth } from '../../api/decode.js';
import type { KObject } from '../../api/object.js';

export interface SourcePos {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

export interface Manifest {
  object: KObject;
  pos: SourcePos;
  /** The UpstreamRef that supplied it (absent: the project itself). */
  origin?: string;
}

/** A problem found while loading a project, always with a position. */
export class LoadError extends Error {
  constructor(
    readonly pos: SourcePos,
    message: string,
  ) {
    super(message);
    this.name = 'LoadError';
  }

  /** "file:line:col: message", the form editors and terminals link to. */
  render(): string {
    return `${this.pos.file}:${this.pos.line}:${this.pos.col}: ${this.message}`;
  }
}

export function formatPos(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}

/** Parses every document in `text`; empty documents are skipped. Errors are collected, not thrown. */
export function parseManifests(file: string, text: string): { manifests: Manifest[]; errors: LoadError[] } {
  const lineCounter = new LineCounter();
  const manifests: Manifest[] = [];
  const errors: LoadError[] = [];
  const at = (offset: number): SourcePos => ({ file, ...lineCounter.linePos(offset) });
  let docs: Document.Parsed[];
  try {
    docs = parseYamlDocuments(text, { lineCounter }); // nesting bounded while parsing
  } catch (err) {
    if (!(err instanceof DecodeLimitError)) throw err;
    return { manifests, errors: [new LoadError(at(err.offset), `invalid YAML: ${err.message}`)] };
  }
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const p = lineCounter.linePos(e.pos[0]);
        errors.push(new LoadError({ file, line: p.line, col: p.col }, `invalid YAML: ${e.message.split('\n')[0]}`));
      }
      continue;
    }
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const p = lineCounter.linePos(start);
    const pos = { file, line: p.line, col: p.col };
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      errors.push(new LoadError(pos, `invalid YAML: ${err instanceof Error ? err.message : String(err)}`)); // alias bomb
      continue;
    }
    if (value === null || value === undefined) continue; // empty document
    if (valueDepth(value) > maxNesting) {
      errors.push(new LoadError(pos, `invalid YAML: nested deeper than ${maxNesting} levels`));
      continue;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      errors.push(new LoadError(pos, 'expected a Kubernetes object (a mapping with apiVersion and kind)'));
      continue;
    }
    const obj = value as Record<string, unknown>;
    if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '' || typeof obj.kind !== 'string' || obj.kind === '') {
      errors.push(new LoadError(pos, 'object has no apiVersion or kind'));
      continue;
    }
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
      errors.push(new LoadError(pos, 'metadata must be a mapping'));
      continue;
    }
    manifests.push({ object: obj as KObject, pos });
  }
  return { manifests, errors };
}

export async function readManifests(file: string): Promise<{ manifests: Manifest[]; errors: LoadError[] }> {
  return parseManifests(file, await readFile(file, 'utf8'));
}
