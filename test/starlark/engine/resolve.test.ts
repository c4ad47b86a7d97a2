// Static errors the resolver reports before anything runs, and the dialect
// flags that relax them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFile, newThread, StarlarkSyntaxError, type CompileOptions } from '../../../src/starlark/index.js';

function errors(src: string, opts: CompileOptions = {}): string[] {
  try {
    compileFile('r.star', src, opts);
  } catch (e) {
    if (e instanceof StarlarkSyntaxError) return e.errors.map((x) => `${x.line}:${x.col} ${x.msg}`);
    throw e;
  }
  return [];
}

test('an undefined name close to a visible one gets a spelling hint', () => {
  assert.deepEqual(errors('hello = 1\ndef f(abc):\n    return hollo + abd + goodbye + lenn([])\n'), [
    '3:12 undefined: hollo (did you mean hello?)',
    '3:20 undefined: abd (did you mean abc?)',
    '3:26 undefined: goodbye',
    '3:36 undefined: lenn (did you mean len?)',
  ]);
});

test('undefined names are reported with their position, all of them at once', () => {
  assert.deepEqual(errors('def f():\n    return y + len(z)\nw = q\n'), [
    '2:12 undefined: y',
    '2:20 undefined: z',
    '3:5 undefined: q',
  ]);
});

test('a global may be bound once unless the dialect allows reassignment', () => {
  assert.deepEqual(errors('x = 1\nx = 2\n'), ['2:1 cannot reassign global x declared at r.star:1:1']);
  assert.deepEqual(errors('x = 1\nx = 2\n', { globalreassign: true }), []);
  // As in starlark-go, x += y at top level rebinds x too.
  assert.deepEqual(errors('x = [1]\nx += [2]\n'), ['2:1 cannot reassign global x declared at r.star:1:1']);
  // Loaded names are file-local.
  // starlark-go positions a loaded name inside its quotes.
  assert.deepEqual(errors('load("m", "x")\nx = 1\n'), ['2:1 cannot reassign local x declared at r.star:1:12']);
  // Binding a builtin's name at top level makes a new global.
  const g = compileFile('r.star', 'len = 3\ny = len\n').init(newThread());
  assert.equal(g.get('y'), 3);
});

test('control flow at top level, while loops and loop-less break need dialect flags', () => {
  assert.deepEqual(errors('for x in []:\n    pass\nif True:\n    pass\n'), [
    '1:1 for loop not within a function',
    '3:1 if statement not within a function',
  ]);
  assert.deepEqual(errors('for x in []:\n    pass\n', { toplevelcontrol: true }), []);
  assert.deepEqual(errors('def f():\n    while True:\n        pass\n'), ['2:5 this Starlark dialect does not support while loops']);
  assert.deepEqual(errors('def f():\n    while True:\n        pass\n', { while: true }), []);
  assert.deepEqual(errors('def f():\n    break\n'), ['2:5 break not in a loop']);
  assert.deepEqual(errors('def f():\n    for x in []:\n        def g():\n            continue\n'), ['4:13 continue not in a loop']);
  assert.deepEqual(errors('return 1\n'), ['1:1 return statement not within a function']);
});

test('parameter lists are checked', () => {
  assert.deepEqual(errors('def f(a, a):\n    pass\n'), ['1:10 duplicate parameter: a']);
  assert.deepEqual(errors('def f(a=1, b):\n    pass\n'), ['1:12 required parameter may not follow optional']);
  assert.deepEqual(errors('def f(**kw, a):\n    pass\n'), ['1:13 required parameter may not follow **kw']);
  assert.deepEqual(errors('def f(a, *):\n    pass\n'), ['1:10 bare * must be followed by keyword-only parameters']);
  // keyword-only parameters may be required
  assert.deepEqual(errors('def f(a=1, *, b):\n    pass\n'), []);
});

test('invalid assignment targets and misplaced load are rejected', () => {
  assert.deepEqual(errors('def f():\n    f() = 1\n'), ['2:6 can\'t assign to callexpr']);
  assert.deepEqual(errors('def f():\n    x, y += 1\n'), ['2:5 can\'t use tuple expression in augmented assignment']);
  assert.deepEqual(errors('def f():\n    load("m", "x")\n'), ['2:5 load statement within a function']);
  // The name's position is inside the quotes, as starlark-go's (its literal's position plus `"`).
  assert.deepEqual(errors('load("m", "_x")\n'), ['1:12 load: names with leading underscores are not exported: _x']);
  assert.deepEqual(errors('load("m", y="_é")\n'), ['1:14 load: names with leading underscores are not exported: _é']);
});

test('predeclared names resolve only when the host declares them', () => {
  assert.deepEqual(errors('x = host_fn()\n'), ['1:5 undefined: host_fn']);
  assert.deepEqual(errors('x = host_fn()\n', { predeclared: ['host_fn'] }), []);
});

test('set is standard unless the dialect switches it off', () => {
  assert.deepEqual(errors('x = set([1])\n'), []);
  assert.deepEqual(errors('x = set([1])\n', { set: false }), ['1:5 this Starlark dialect does not support sets']);
});
