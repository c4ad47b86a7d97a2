// The default limits of one reconcile, in a module of their own so the CLI can
// show them in --help without loading the interpreter (see src/cli/commands/limits.ts).

/** Steps: loop iterations, calls and the work of builtins, charged in proportion. */
export const defaultMaxSteps = 10_000_000;
/** Wall-clock limit per reconcile. */
export const defaultTimeoutMs = 10_000;
/**
 * Far below V8's heap limit (2-4 GiB), far above what a reconcile builds (its
 * objects are kilobytes): the count is cumulative, so temporaries count too.
 */
export const defaultMaxMemoryMiB = 256;
