// The runtime helpers and constants a generated function uses, made constants
// V8 can see (codegen.ts).
//
// Generated code reaches the runtime as `rt.name` (and `rt.ops.name`) and its
// constants as `K[i]`. Read like that, each use is a property load — through
// the bundler's getter object for `rt` — and a call through it has a target
// V8 cannot know, so it neither inlines the helper nor folds the constant.
// Key idea: the factory that creates the function declares every name used
// once as a `const` (`rt_name`, `rt_ops_name`, `K_i`); the function is created
// once per factory, so V8 specialises it on that context and treats those
// bindings as the constants they are (helpers inlined, interned strings
// compared by pointer, per-site caches addressed directly).
//
// Trade-off: a textual rewrite, which is exact only because the source is
// the compiler's own text (user text never becomes source text: names,
// strings and numbers of the program live in K), and the compiler spells
// these references in no other way.

const RT = /(?<![\w$])rt\.(ops\.)?([A-Za-z_$][\w$]*)/g;
const KREF = /(?<![\w$])K\[(\d+)\]/g;

/** `const` declarations for the helpers and constants src uses, and src reading them. */
export function hoistConstants(src: string): string {
  const decls = new Map<string, string>();
  const body = src
    .replace(RT, (_m, ns: string | undefined, name: string) => {
      const id = ns ? `rt_ops_${name}` : `rt_${name}`;
      if (!decls.has(id)) decls.set(id, ns ? `rt.ops.${name}` : `rt.${name}`);
      return id;
    })
    .replace(KREF, (_m, i: string) => {
      const id = `K_${i}`;
      if (!decls.has(id)) decls.set(id, `K[${i}]`);
      return id;
    });
  const lines: string[] = [];
  for (const [id, init] of decls) lines.push(`const ${id} = ${init};`);
  lines.push(body);
  return lines.join('\n');
}
