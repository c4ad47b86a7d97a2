// The stable order of sorted(key=...) when every key is a string.
//
// Key idea: a bottom-up merge sort of an index array that compares the keys
// with `<` inline. Array.prototype.sort with a comparator costs a call into
// JS per comparison (and the comparator another call to fetch both keys);
// here a comparison is one load and one string compare. Strings compare by
// code unit, the order the generic comparator uses, so the result is the
// same; ties keep the input order (reverse too: a stable sort by the reversed
// comparison, as starlark-go's sort.Stable with a reversed less).
// Trade-off: two Int32Arrays of n entries, against the n-element index array
// Array.prototype.sort works on anyway.

/** Runs sorted by insertion before the merging passes. */
const RUN = 16;

/** Positions of keys in stable ascending (or, with reverse, descending) order. */
export function stringKeyOrder(keys: readonly string[], reverse: boolean): Int32Array {
  const n = keys.length;
  let a = new Int32Array(n);
  let b = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(lo + RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const x = a[i]!;
      const kx = keys[x]!;
      let j = i - 1;
      while (j >= lo && before(kx, keys[a[j]!]!, reverse)) {
        a[j + 1] = a[j]!;
        j--;
      }
      a[j + 1] = x;
    }
  }
  for (let w = RUN; w < n; w *= 2) {
    for (let lo = 0; lo < n; lo += 2 * w) {
      const mid = Math.min(lo + w, n);
      const hi = Math.min(lo + 2 * w, n);
      let i = lo;
      let j = mid;
      let k = lo;
      // The right run's element goes first only if strictly before: stability.
      while (i < mid && j < hi) b[k++] = before(keys[a[j]!]!, keys[a[i]!]!, reverse) ? a[j++]! : a[i++]!;
      while (i < mid) b[k++] = a[i++]!;
      while (j < hi) b[k++] = a[j++]!;
    }
    const t = a;
    a = b;
    b = t;
  }
  return a;
}

function before(x: string, y: string, reverse: boolean): boolean {
  return reverse ? x > y : x < y;
}
