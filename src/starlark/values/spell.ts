// Spelling suggestions for "has no .x field or method" errors, in the manner
// of starlark-go's spell.Nearest: the closest known name by edit distance,
// ignoring case and underscores, if it is close enough to be a likely typo.

/** ", did you mean .x?" for the nearest known name, as starlark-go's spell checker suggests. */
export function suggest(name: string, candidates: readonly string[]): string {
  const best = nearest(name, candidates);
  return best === '' ? '' : ` (did you mean .${best}?)`;
}

/** The nearest known name to a likely typo, or ''. */
export function nearest(name: string, candidates: Iterable<string>): string {
  const key = name.toLowerCase().replace(/_/g, '');
  let best = '';
  let bestD = 1 + Math.floor(name.length / 4) + 1;
  for (const c of candidates) {
    const d = editDistance(key, c.toLowerCase().replace(/_/g, ''));
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
