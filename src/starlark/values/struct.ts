// struct(**kwargs) values and modules (json, math, time, host modules).
// A struct is an immutable record of named fields; repr lists fields sorted by
// name (`struct(a = 1, b = "x")`, as starlark-go's starlarkstruct prints), two
// structs are equal when their fields are. A module is a named, frozen
// namespace of members (`json.encode`) that is not itself data.

import { equalDepth } from './compare.js';
import { hashString, hashValue } from './hash.js';
import { writeRepr } from './repr.js';
import { StarlarkError, type Equatable, type HasAttrs, type StarObject, type Value } from './value.js';

export class StarStruct implements HasAttrs, Equatable {
  /** Fields in sorted name order. */
  readonly fields: Map<string, Value>;
  frozen = false;
  constructor(fields: Map<string, Value> | Array<[string, Value]>) {
    const entries = Array.isArray(fields) ? fields : Array.from(fields);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.fields = new Map(entries);
  }
  get typeName(): string {
    return 'struct';
  }
  freeze(): void {
    if (this.frozen) return;
    this.frozen = true;
    for (const v of this.fields.values()) if (v !== null && typeof v === 'object') v.freeze();
  }
  truth(): boolean {
    return true;
  }
  hash(): number {
    let h = 0x3a7b;
    for (const [k, v] of this.fields) h = (Math.imul(h, 31) + (hashString(k) ^ hashValue(v))) | 0;
    return h;
  }
  attr(name: string): Value | undefined {
    return this.fields.get(name);
  }
  attrNames(): string[] {
    return Array.from(this.fields.keys());
  }
  repr(out: string[], seen: Set<StarObject>): void {
    out.push('struct(');
    let first = true;
    for (const [k, v] of this.fields) {
      if (!first) out.push(', ');
      first = false;
      out.push(k, ' = ');
      writeRepr(out, v, seen);
    }
    out.push(')');
  }
  equals(y: StarObject, depth: number): boolean {
    const o = y as StarStruct;
    if (this.fields.size !== o.fields.size) return false;
    for (const [k, v] of this.fields) {
      const w = o.fields.get(k);
      if (w === undefined || !equalDepth(v, w, depth - 1)) return false;
    }
    return true;
  }
}

export class StarModule implements HasAttrs {
  constructor(
    readonly name: string,
    readonly members: Map<string, Value>,
  ) {}
  get typeName(): string {
    return 'module';
  }
  freeze(): void {
    for (const v of this.members.values()) if (v !== null && typeof v === 'object') v.freeze();
  }
  truth(): boolean {
    return true;
  }
  hash(): number {
    throw new StarlarkError('unhashable type: module');
  }
  attr(name: string): Value | undefined {
    return this.members.get(name);
  }
  attrNames(): string[] {
    return Array.from(this.members.keys()).sort();
  }
  repr(out: string[]): void {
    out.push(`<module "${this.name}">`);
  }
}
