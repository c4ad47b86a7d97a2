// Lazy iterable views returned by "abc".elems(), .codepoints(), b.elems(), ...
// They are iterable (for loops, list(...)) but not indexable, like starlark-go's
// stringElems / bytesIterable values; repr shows the producing call.

import { StarlarkError, type Iterable, type Value } from './value.js';

export class ElemsView implements Iterable {
  constructor(
    readonly typeName: string,
    private readonly text: string,
    private readonly make: () => Iterator<Value>,
  ) {}
  freeze(): void {}
  truth(): boolean {
    return true;
  }
  hash(): number {
    throw new StarlarkError(`unhashable type: ${this.typeName}`);
  }
  iterate(): Iterator<Value> {
    return this.make();
  }
  repr(out: string[]): void {
    out.push(this.text);
  }
}
