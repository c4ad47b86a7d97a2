// Starlark bytes: an immutable byte sequence, held as a JS "binary string"
// (one char per byte, codes 0..255) so hashing, comparison, slicing and
// concatenation reuse the engine's fast string operations. Strings are held
// the same way (utf8.ts), so bytes(s) is s's own data.

import { hashString } from './hash.js';
import { quoteBytes } from './quote.js';
import { fromBytes, isAscii, toBytes } from './utf8.js';
import type { Equatable, Indexable, Iterable, Ordered, StarObject, Value } from './value.js';

export class StarBytes implements Indexable, Iterable, Ordered, Equatable {
  constructor(readonly data: string) {}
  get typeName(): string {
    return 'bytes';
  }
  get length(): number {
    return this.data.length;
  }
  freeze(): void {}
  truth(): boolean {
    return this.data.length > 0;
  }
  /** 32-bit FNV-1a of the bytes, as an unsigned value (starlark-go: hash(b"") == 0x811c9dc5). */
  hash(): number {
    return hashString(this.data) >>> 0;
  }
  /** Indexing a bytes value yields a 1-byte bytes, as starlark-go (Python yields an int). */
  index(i: number): Value {
    return new StarBytes(this.data[i]!);
  }
  iterate(): Iterator<Value> {
    let i = 0;
    const d = this.data;
    return {
      next: (): IteratorResult<Value> =>
        i < d.length ? { value: d.charCodeAt(i++), done: false } : { value: undefined, done: true },
    };
  }
  repr(out: string[]): void {
    out.push(quoteBytes(this.data));
  }
  equals(y: StarObject): boolean {
    return this.data === (y as StarBytes).data;
  }
  cmp(y: StarObject): number {
    const o = (y as StarBytes).data;
    return this.data < o ? -1 : this.data > o ? 1 : 0;
  }
  /** The string of the same bytes, each invalid UTF-8 byte replaced by U+FFFD (as str(bytes) does). */
  decode(): string {
    return isAscii(this.data) ? this.data : toBytes(fromBytes(this.data));
  }
}

export function toUint8(s: string): Uint8Array {
  const a = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
  return a;
}

export function fromUint8(a: Uint8Array): string {
  let s = '';
  for (let i = 0; i < a.length; i += 4096) s += String.fromCharCode(...a.subarray(i, i + 4096));
  return s;
}
