// The step and memory budgets a program uses are the same on both backends:
// the fast backend's specialised code (range loops, constant tuples, dict and
// list fast paths, comprehensions) must charge exactly what the closures
// backend charges, so a limit trips at the same point whichever runs.
// (Known exception, not covered here: `for k, v in d.items()` on the fast
// backend charges a flat copy, less memory than the list of pairs.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFile, EvalError, newThread, repr } from '../../../src/starlark/index.js';

function run(src: string, backend: 'codegen' | 'closures'): { steps: number; allocs: number; result: string } {
  const thread = newThread({ print: () => {} });
  const globals = compileFile('m.star', src, { backend }).init(thread);
  return { steps: thread.steps, allocs: thread.allocs, result: repr(globals.get('result')!) };
}

const programs: Record<string, string> = {
  'range loops in statements and comprehensions': `
def f():
    out = []
    for i in range(200):
        out.append(i)
    for i in range(-5, 50):
        out.append(i)
    for i in range((1 << 60) - 2, (1 << 60) + 2):
        out.append(i)
    return [[x * y for x in range(y)] for y in range(30)] + out
result = f()
`,
  'constant tuple displays': `
def f():
    out = []
    for i in range(300):
        out.append(("leaf", "spine", "border")[i % 3])
        out.append((1, 2.5, "x", 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)[i % 13])
    return out
result = f()
`,
  'dict building and reading': `
def f():
    recs = [{"id": i, "zone": "z%d" % (i % 7), "rack": i % 11} for i in range(500)]
    by_zone = {}
    counts = {}
    racks = {}
    for r in recs:
        by_zone.setdefault(r["zone"], []).append(r["id"])
        racks.setdefault(r["rack"] + 1000, {})[r["zone"]] = 1
        counts[r["zone"]] = counts.get(r["zone"], 0) + 1
        racks[r["rack"]] = racks.get(r["rack"], 0) + 1
        if r["rack"] in racks and 3 in racks:
            racks[3] = racks[3]
    merged = dict(counts)
    merged.update(racks)
    churn = {}
    for i in range(400):
        k = "key%d" % (i % 37)
        if k in churn:
            churn.pop(k)
        else:
            churn[k] = i
    return [by_zone, counts, racks, merged, churn, {k: counts[k] for k in counts}, [k for k in racks], list(racks.values())]
result = f()
`,
  'constant formats: % with tuple operands (built or not), str.format, + chains': `
def f():
    out = []
    name = "app"
    for i in range(60):
        s = "%s-%d" % (name, i)
        t = "x" + s + "y" + name
        u = "{}:{}".format(s, i)
        v = "%r and %s" % (s, [i])
        w = "%s/%s" % (name, 1.5)
        out.append(s + t + u + v + w)
    return out
result = f()
`,
};

for (const [name, src] of Object.entries(programs)) {
  test(`${name}: the same result, steps and memory charge on both backends`, () => {
    const fast = run(src, 'codegen');
    const slow = run(src, 'closures');
    assert.equal(fast.result, slow.result);
    assert.equal(fast.steps, slow.steps);
    assert.equal(fast.allocs, slow.allocs);
    assert.ok(fast.steps > 100);
  });
}

// A memory budget running out inside a function is reported in that function on both backends,
// at the same line, whichever display or comprehension allocates.
test('a memory limit reached inside a function names that function and line on both backends', () => {
  const bodies: Record<string, string> = {
    'list display': 'x.append([i, i])',
    'tuple display': 'x.append((i, i, i))',
    'dict display': 'x.append({"k": i, "v": i})',
    'list comprehension': 'x.append([j for j in range(3)])',
    'dict comprehension': 'x.append({j: j for j in range(3)})',
  };
  for (const [name, body] of Object.entries(bodies)) {
    const src = `def grow():\n    x = []\n    for i in range(100000):\n        ${body}\n    return x\n\ngrow()\n`;
    const frames = (backend: 'codegen' | 'closures') => {
      const t = newThread({ maxAllocs: 20000, print: () => {} });
      try {
        compileFile('m.star', src, { backend }).init(t);
      } catch (e) {
        if (!(e instanceof EvalError)) throw e;
        assert.match(e.message, /exceeded its memory limit/);
        return e.callStack.map((f) => `${f.name}:${f.line}`);
      }
      assert.fail(`${name}: no error on ${backend}`);
    };
    const fast = frames('codegen');
    assert.deepEqual(fast, ['<toplevel>:7', 'grow:4'], `${name} (codegen)`);
    assert.deepEqual(frames('closures'), fast, `${name} (closures)`);
  }
});

// Wherever a memory limit runs out — a string `+` (binary, or a chain of literals and locals joined at
// once), a display, a `%` whose operand tuple the fast path never builds, a lazily built setdefault
// default, a growing append — both backends report the same message at the same site, after the same
// steps and charges. Each program is run under ~260 limits up to its full charge.
const sweeps: Record<string, string> = {
  'string +': 'def f():\n    out = []\n    name = "abc" * 20\n    for i in range(1000):\n        s = name + "-" + name + "/" + name\n        t = s + name\n        out.append(t)\n    return out\n\nf()\n',
  '% with tuples': 'def f():\n    out = []\n    name = "abc" * 20\n    for i in range(1000):\n        s = "%s-%d" % (name, i)\n        u = "%s/%s/%r" % (s, name, i)\n        out.append(u)\n    return out\n\nf()\n',
  'displays and setdefault': 'def f():\n    out = {}\n    for i in range(1000):\n        d = {"k": i, "name": "n%d" % i, "l": [i, i], "t": (i, 1)}\n        d.update({"x": i})\n        out[str(i)] = d\n        out.setdefault("g", []).append(i)\n        out.setdefault("h", {})[i % 7] = ()\n    return out\n\nf()\n',
  'str.format and methods': 'def f():\n    out = []\n    name = "a,b,c" * 20\n    for i in range(1000):\n        s = "{}-{}".format(name, i)\n        u = "{0}/{1}/{0}".format(s, name).replace("a", "xy").upper()\n        out.append("-".join(u.split(",")))\n    return out\n\nf()\n',
};

for (const [name, src] of Object.entries(sweeps)) {
  test(`${name}: a memory limit is reported at the same site, steps and charge on both backends`, () => {
    const where = (backend: 'codegen' | 'closures', maxAllocs: number) => {
      const t = newThread({ maxAllocs, print: () => {} });
      try {
        compileFile('m.star', src, { backend }).init(t);
      } catch (e) {
        if (!(e instanceof EvalError)) throw e;
        return `${e.message} ${e.callStack.map((f) => `${f.name}:${f.line}:${f.col}`).join(' ')} steps=${t.steps} allocs=${t.allocs}`;
      }
      return `no error steps=${t.steps} allocs=${t.allocs}`;
    };
    const full = newThread({ print: () => {} });
    compileFile('m.star', src, { backend: 'closures' }).init(full);
    const step = Math.max(1, Math.floor(full.allocs / 260));
    let errors = 0;
    for (let limit = 100; limit < full.allocs; limit += step) {
      const fast = where('codegen', limit);
      assert.equal(fast, where('closures', limit), `limit ${limit}`);
      if (fast.includes('memory limit')) errors++;
    }
    assert.ok(errors > 200, `${errors} runs ended by the limit`);
  });
}
