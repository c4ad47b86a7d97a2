// The evaluator's behaviour through the public API: stack traces, budgets,
// recursion, load(), closures, argument binding, freezing, repeated calls.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  callFunction, compileFile, EvalError, makeLoader, newThread, repr, StarlarkSyntaxError,
  type CompileOptions, type Value,
} from '../../../src/starlark/index.js';

// Every test runs on both backends (generated JS and closures): same semantics.
for (const backend of ['codegen', 'closures'] as const) {
  function exec(src: string, opts: CompileOptions = {}, threadOpts = {}): Map<string, Value> {
    return compileFile('m.star', src, { backend, ...opts }).init(newThread({ print: () => {}, ...threadOpts }));
  }

  function compile(filename: string, src: string, opts: CompileOptions = {}) {
    return compileFile(filename, src, { backend, ...opts });
  }

  function evalError(fn: () => unknown): EvalError {
    try {
      fn();
    } catch (e) {
      if (e instanceof EvalError) return e;
      throw e;
    }
    assert.fail('expected an EvalError');
  }

  test(`a runtime error carries one frame per call and renders like starlark-go [${backend}]`, () => {
    const src = 'def f(x):\n    return g(x) + 1\n\ndef g(y):\n    return 1 // y\n\nf(0)\n';
    const e = evalError(() => exec(src));
    assert.equal(e.msg, 'floored division by zero');
    assert.equal(e.position, 'm.star:5:14');
    assert.equal(e.backtrace(), [
      'Traceback (most recent call last):',
      '  m.star:7:2: in <toplevel>',
      '  m.star:2:13: in f',
      '  m.star:5:14: in g',
      'Error: floored division by zero',
    ].join('\n'));
  });

  test(`a non-ASCII function name reads as text in the traceback, columns in characters [${backend}]`, () => {
    const e = evalError(() => exec('def é():\n    return 1 // 0\nx = 1; é()\n'));
    assert.equal(e.backtrace(), [
      'Traceback (most recent call last):',
      '  m.star:3:9: in <toplevel>',
      '  m.star:2:14: in é',
      'Error: floored division by zero',
    ].join('\n'));
  });

  test(`an error inside a builtin is reported as "Error in <builtin>" [${backend}]`, () => {
    const e = evalError(() => exec('def f():\n    return len(1)\nf()\n'));
    assert.match(e.backtrace(), /  m\.star:2:15: in f\nError in len: /);
    assert.deepEqual(e.callStack.map((f) => f.name), ['<toplevel>', 'f', 'len']);
  });

  test(`a builtin calling back into Starlark keeps both frames [${backend}]`, () => {
    const e = evalError(() => exec('def key(x):\n    return x // 0\ny = sorted([1, 2], key=key)\n'));
    assert.deepEqual(e.callStack.map((f) => `${f.name}@${f.file ?? '<builtin>'}:${f.line}`), [
      '<toplevel>@m.star:3', 'sorted@<builtin>:0', 'key@m.star:2',
    ]);
  });

  test(`reading a local before assignment is a runtime error naming the variable [${backend}]`, () => {
    const e = evalError(() => exec('def f():\n    y = x\n    x = 1\nf()\n'));
    assert.equal(e.msg, 'local variable x referenced before assignment');
    assert.equal(e.position, 'm.star:2:9');
  });

  test(`the step budget stops an infinite loop [${backend}]`, () => {
    const e = evalError(() => exec('def spin():\n    while True:\n        pass\nspin()\n', { while: true }, { maxSteps: 10000 }));
    assert.equal(e.msg, 'Starlark computation cancelled: too many steps');
    assert.equal(e.position, 'm.star:2:5');
  });

  test(`deep recursion gives a depth error, not a JS stack overflow [${backend}]`, () => {
    const src = 'def f(n):\n    return f(n + 1)\nf(0)\n';
    let e = evalError(() => exec(src, { recursion: true }, { maxDepth: 200 }));
    assert.equal(e.msg, 'call stack depth exceeded (limit 200)');
    assert.match(e.backtrace(), /more repetitions of the previous frame/);
    // Even with an absurd limit, the JS stack overflow is caught and reported the same way.
    e = evalError(() => exec(src, { recursion: true }, { maxDepth: 1e9 }));
    assert.match(e.msg, /^call stack depth exceeded/);
  });

  test(`recursion is an error unless the dialect allows it [${backend}]`, () => {
    const src = 'def fact(n):\n    return 1 if n <= 1 else n * fact(n - 1)\nx = fact(20)\n';
    const e = evalError(() => exec(src));
    assert.equal(e.msg, 'function fact called recursively');
    assert.equal(exec(src, { recursion: true }).get('x'), 2432902008176640000n);
  });

  test(`closures capture variables, not values, and see later assignments [${backend}]`, () => {
    const g = exec([
      'def counter():',
      '    n = [0]',
      '    def inc(by=1):',
      '        n[0] += by',
      '        return n[0]',
      '    return inc',
      'def adders():',
      '    return [lambda x, i=i: x + i for i in range(3)]',
      'def late():',
      '    f = lambda: v',
      '    v = "late"',
      '    return f()',
      'c = counter()',
      'a = [c(), c(), c(10)]',
      'b = [f(100) for f in adders()]',
      'l = late()',
      '',
    ].join('\n'));
    assert.equal(repr(g.get('a')!), '[1, 2, 12]');
    assert.equal(repr(g.get('b')!), '[100, 101, 102]');
    assert.equal(g.get('l'), 'late');
  });

  test(`argument binding follows the spec, with starlark-go error messages [${backend}]`, () => {
    const g = exec('def f(a, b=2, *args, c, d=4, **kw):\n    return (a, b, args, c, d, kw)\n');
    const f = g.get('f')!;
    const t = newThread();
    assert.equal(repr(callFunction(t, f, [1], [['c', 3]])), '(1, 2, (), 3, 4, {})');
    assert.equal(repr(callFunction(t, f, [1, 5, 6, 7], [['c', 3], ['e', 9]])), '(1, 5, (6, 7), 3, 4, {"e": 9})');
    assert.equal(evalError(() => callFunction(t, f, [1])).msg, 'function f missing 1 argument (c)');
    assert.equal(evalError(() => callFunction(t, f, [1], [['c', 1], ['a', 2]])).msg, 'function f got multiple values for parameter "a"');
    const h = exec('def h(x):\n    pass\n').get('h')!;
    assert.equal(evalError(() => callFunction(t, h, [1, 2])).msg, 'function h accepts 1 positional argument (2 given)');
    assert.equal(evalError(() => callFunction(t, h, [], [['y', 1]])).msg, 'function h got an unexpected keyword argument "y"');
    // A binding error inside Starlark code is positioned at the call.
    const e = evalError(() => exec('def k(x):\n    pass\nk()\n'));
    assert.equal(e.backtrace(), 'Traceback (most recent call last):\n  m.star:3:2: in <toplevel>\nError: function k missing 1 argument (x)');
  });

  test(`module globals are frozen after init; functions keep working on fresh values [${backend}]`, () => {
    const g = exec('CONFIG = {"a": [1]}\ndef add(x):\n    CONFIG["a"].append(x)\ndef fresh(x):\n    l = [x]\n    l.append(x)\n    return l\n');
    const t = newThread();
    assert.match(evalError(() => callFunction(t, g.get('add')!, [2])).msg, /frozen/);
    for (let i = 0; i < 1000; i++) assert.equal(repr(callFunction(t, g.get('fresh')!, [i])), `[${i}, ${i}]`);
  });

  test(`augmented assignment evaluates the target once and mutates lists in place [${backend}]`, () => {
    const g = exec([
      'calls = []',
      'def idx():',
      '    calls.append(1)',
      '    return 0',
      'def run():',
      '    l = [10]',
      '    alias = l',
      '    l[idx()] += 5',
      '    l += [1]',
      '    return alias',
      'r = run()',
      'n = len(calls)',
      '',
    ].join('\n'));
    assert.equal(repr(g.get('r')!), '[15, 1]');
    assert.equal(g.get('n'), 1);
  });

  test(`load() runs each module once, caches it, binds aliases and detects cycles [${backend}]`, () => {
    const sources: Record<string, string> = {
      'lib.star': 'print("lib loaded")\ndef double(x):\n    return 2 * x\nK = 21\n_private = 1\n',
      'a.star': 'load("b.star", "y")\nx = 1\n',
      'b.star': 'load("a.star", "x")\ny = 2\n',
    };
    const printed: string[] = [];
    const loader = makeLoader({ find: (m) => (m in sources ? { filename: m, src: sources[m] } : null) });
    const thread = newThread({ print: (_t, msg) => printed.push(msg) });
    const g1 = compile('main.star', 'load("lib.star", "double", k="K")\nv = double(k)\n').init(thread, {}, loader);
    const g2 = compile('other.star', 'load("lib.star", "K")\nw = K\n').init(thread, {}, loader);
    assert.equal(g1.get('v'), 42);
    assert.equal(g2.get('w'), 21);
    assert.deepEqual(printed, ['lib loaded']);
    // Loaded names are file-local: not re-exported.
    assert.equal(g1.has('double'), false);

    let e = evalError(() => compile('c.star', 'load("a.star", "x")\n').init(thread, {}, loader));
    assert.equal(e.msg, 'cannot load a.star: cannot load b.star: cannot load a.star: cycle in load graph');
    e = evalError(() => compile('d.star', 'load("lib.star", "nope")\n').init(thread, {}, loader));
    assert.equal(e.msg, 'load: name nope not found in module lib.star');
    e = evalError(() => compile('d.star', 'x = 1\nload("lib.star", "double", "nope")\n').init(thread, {}, loader));
    assert.equal(e.position, 'd.star:2:1'); // at the load, as starlark-go
    e = evalError(() => compile('d.star', 'load("missing.star", "x")\n').init(thread, {}, loader));
    assert.equal(e.msg, 'cannot load missing.star: module missing.star not found');
  });

  test(`a syntax error in a loaded module surfaces through load [${backend}]`, () => {
    const loader = makeLoader({ find: () => ({ filename: 'bad.star', src: 'x = (\n' }) });
    const e = evalError(() => compile('m.star', 'load("bad.star", "x")\n').init(newThread(), {}, loader));
    assert.match(e.msg, /^cannot load bad\.star: bad\.star:2:1: /);
    assert.ok(!(e instanceof StarlarkSyntaxError));
  });

  test(`source text never becomes code: hostile names and strings are plain data [${backend}]`, () => {
    const g = exec([
      'rt = 1',
      'K = 2',
      'def f(t, l, g, ld, fr):',
      '    constructor = "\\"); throw new Error(\'pwned\'); //"',
      '    return [t + l + g + ld + fr, constructor]',
      'x = f(1, 2, 3, 4, 5)',
      'y = {"__proto__": rt, "constructor": K}',
      '',
    ].join('\n'));
    assert.equal(repr(g.get('x')!), '[15, "\\"); throw new Error(\'pwned\'); //"]');
    assert.equal(repr(g.get('y')!), '{"__proto__": 1, "constructor": 2}');
  });

  test(`comprehension errors are positioned inside the comprehension [${backend}]`, () => {
    const e = evalError(() => exec('def f(xs):\n    return [1 // x for x in xs]\ny = f([1, 0])\n'));
    assert.equal(e.backtrace(), [
      'Traceback (most recent call last):',
      '  m.star:3:6: in <toplevel>',
      '  m.star:2:15: in f',
      'Error: floored division by zero',
    ].join('\n'));
  });

  test(`print goes to the thread and predeclared host values are visible [${backend}]`, () => {
    const out: string[] = [];
    const prog = compile('p.star', 'print("hello", NAME, 1 + 2)\n', { predeclared: ['NAME'] });
    prog.init(newThread({ print: (_t, m) => out.push(m) }), { NAME: 'world' });
    assert.deepEqual(out, ['hello world 3']);
  });

  test(`a host's non-ASCII predeclared name (Unicode text) is the program's identifier [${backend}]`, () => {
    const out: string[] = [];
    const prog = compile('p.star', 'print(größe + 1)\n', { predeclared: new Map([['größe', 1]]) });
    prog.init(newThread({ print: (_t, m) => out.push(m) }), new Map([['größe', 41]]));
    assert.deepEqual(out, ['42']);
  });
}

test('without JS code generation (--disallow-code-generation-from-strings) the closures backend takes over', () => {
  const index = new URL('../../../src/starlark/index.js', import.meta.url).href;
  const script = `import(${JSON.stringify(index)}).then((m) => {
    const g = m.compileFile('x.star', 'def f(n):\\n    return [i * n for i in range(3)]\\nx = f(2)\\n').init(m.newThread());
    process.stdout.write(m.repr(g.get('x')));
  });`;
  const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '-e', script], { encoding: 'utf8' });
  assert.equal(out, '[0, 2, 4]');
});
