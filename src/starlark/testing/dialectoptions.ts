// The dialect options a test chunk (`option:NAME`) or `star run -o NAME` may
// enable. Kept apart from chunks.ts so the CLI can list them in its help
// without loading the chunk parser and the RE2 engine it needs.

/** The dialect options a chunk may enable with `option:NAME`. */
export const DIALECT_OPTIONS = ['set', 'globalreassign', 'recursion', 'toplevelcontrol', 'while'] as const;
export type DialectOption = (typeof DIALECT_OPTIONS)[number];
