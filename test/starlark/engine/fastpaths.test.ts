// The forms the fast backend writes out at their site (compile/codegen_inline.ts)
// charge the step and memory budgets exactly as the general path: the same
// program run by both backends ends with the same step and memory counts, and
// a budget that ends one run ends the other at the same point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFile, newThread, EvalError } from '../../../src/starlark/index.js';

const program = `
def walk(a, b):
    stack = [(a, b)]
    n = 0
    for _ in range(1000):
        if not stack:
            return n
        x, y = stack.pop()
        n += 1
        if type(x) != type(y):
            return -1
        if type(x) == "dict":
            for k in x:
                if k not in y:
                    return -1
                stack.append((x[k], y[k]))
        elif type(x) == "list":
            for i in range(len(x)):
                stack.append((x[i], y[i]))
    return n

def obj(i):
    return {"metadata": {"name": "o", "index": i, "labels": {"a": "b"}}, "spec": {"ports": [{"port": i}, {"port": i + 1}]}}

def main():
    total = 0
    for i in range(40):
        o = obj(i)
        total += walk(o, obj(i))
        total += len(o.get("spec", {}).get("ports", [])) + len(o.get("status", {}).get("conditions", []))
        total += len(o.get("metadata", {}).get("labels", {}))
    return total

result = main()
`;

function run(backend: 'codegen' | 'closures', maxSteps = 1e12, maxAllocs = 1e12): { steps: number; allocs: number; error: string | null } {
  const prog = compileFile('fast.star', program, { backend });
  const t = newThread({ maxSteps, maxAllocs, print: () => {} });
  let error: string | null = null;
  try {
    prog.init(t, {});
  } catch (e) {
    if (!(e instanceof EvalError)) throw e;
    error = e.message;
  }
  return { steps: t.steps, allocs: t.allocs, error };
}

test('inline fast paths charge steps and memory as the closures backend does', () => {
  const a = run('codegen');
  const b = run('closures');
  assert.equal(a.error, null);
  assert.ok(a.allocs > 0 && a.steps > 0);
  assert.deepEqual(a, b);
});

test('a memory budget that ends the run ends it at the same count on both backends', () => {
  const full = run('closures').allocs;
  for (const limit of [Math.floor(full / 3), Math.floor(full / 2), full - 50]) {
    const a = run('codegen', 1e12, limit);
    const b = run('closures', 1e12, limit);
    assert.match(a.error ?? '', /exceeded its memory limit/);
    assert.deepEqual(a, b, `limit ${limit}`);
  }
});
