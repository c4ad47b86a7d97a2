// Which comparison error sorted() reports, as starlark-go does. starlark-go
// sorts with Go's sort.Stable (insertion sort of blocks of 20, then
// SymMerge), lets a failing comparison count as "not less" and goes on, and
// reports the last error it met. Our sort (V8's) compares other pairs in
// another order, so on a mixed-type list it would name another pair. Only
// the error path pays: when our sort fails, this replays Go's algorithm on
// the original keys to find the error starlark-go reports.

import { cmpValues } from './compare.js';
import { StarlarkError, type Value } from './value.js';

/** The error starlark-go reports for sorting `keys` (in their original order), or null if it meets none. */
export function goSortError(keys: readonly Value[], reverse: boolean): StarlarkError | null {
  const k = keys.slice();
  let err: StarlarkError | null = null;
  const lessKeys = (i: number, j: number): boolean => {
    try {
      return cmpValues(k[i]!, k[j]!) < 0;
    } catch (e) {
      if (!(e instanceof StarlarkError)) throw e;
      err = e; // as starlark-go's sortSlice.Less: the last error wins
      return false;
    }
  };
  const less = reverse ? (i: number, j: number) => lessKeys(j, i) : lessKeys;
  const swap = (i: number, j: number): void => {
    const t = k[i]!;
    k[i] = k[j]!;
    k[j] = t;
  };
  stable(k.length, less, swap);
  return err;
}

type Less = (i: number, j: number) => boolean;
type Swap = (i: number, j: number) => void;

/** Go's sort.Stable. */
function stable(n: number, less: Less, swap: Swap): void {
  let blockSize = 20;
  let a = 0;
  let b = blockSize;
  while (b <= n) {
    insertionSort(a, b, less, swap);
    a = b;
    b += blockSize;
  }
  insertionSort(a, n, less, swap);
  while (blockSize < n) {
    a = 0;
    b = 2 * blockSize;
    while (b <= n) {
      symMerge(a, a + blockSize, b, less, swap);
      a = b;
      b += 2 * blockSize;
    }
    const m = a + blockSize;
    if (m < n) symMerge(a, m, n, less, swap);
    blockSize *= 2;
  }
}

function insertionSort(a: number, b: number, less: Less, swap: Swap): void {
  for (let i = a + 1; i < b; i++) {
    for (let j = i; j > a && less(j, j - 1); j--) swap(j, j - 1);
  }
}

/** Go's symMerge: merges the sorted runs [a, m) and [m, b) in place (Kim and Kutzner's SymMerge). */
function symMerge(a: number, m: number, b: number, less: Less, swap: Swap): void {
  if (m - a === 1) {
    let i = m;
    let j = b;
    while (i < j) {
      const h = (i + j) >>> 1;
      if (less(h, a)) i = h + 1;
      else j = h;
    }
    for (let k = a; k < i - 1; k++) swap(k, k + 1);
    return;
  }
  if (b - m === 1) {
    let i = a;
    let j = m;
    while (i < j) {
      const h = (i + j) >>> 1;
      if (!less(m, h)) i = h + 1;
      else j = h;
    }
    for (let k = m; k > i; k--) swap(k, k - 1);
    return;
  }
  const mid = (a + b) >>> 1;
  const n = mid + m;
  let start: number;
  let r: number;
  if (m > mid) {
    start = n - b;
    r = mid;
  } else {
    start = a;
    r = m;
  }
  const p = n - 1;
  while (start < r) {
    const c = (start + r) >>> 1;
    if (!less(p - c, c)) start = c + 1;
    else r = c;
  }
  const end = n - start;
  if (start < m && m < end) rotate(start, m, end, swap);
  if (a < start && start < mid) symMerge(a, start, mid, less, swap);
  if (mid < end && end < b) symMerge(mid, end, b, less, swap);
}

function rotate(a: number, m: number, b: number, swap: Swap): void {
  let i = m - a;
  let j = b - m;
  while (i !== j) {
    if (i > j) {
      swapRange(m - i, m, j, swap);
      i -= j;
    } else {
      swapRange(m - i, m + j - i, i, swap);
      j -= i;
    }
  }
  swapRange(m - i, m, i, swap);
}

function swapRange(a: number, b: number, n: number, swap: Swap): void {
  for (let i = 0; i < n; i++) swap(a + i, b + i);
}
