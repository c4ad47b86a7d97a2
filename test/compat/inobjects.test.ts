// Reconciler and Library objects in in/, template file naming, and one language per reconciler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { discoverProject } from '../../src/runner/project/discover.js';
import { choreoctl, crdYaml, projectDir } from './cli.js';

const project = (files: Record<string, string>) => projectDir(files, 'inobj');

const rec = (name: string, code: string, type = 'starlark') =>
  `apiVersion: choreo.kform.dev/v1alpha1\nkind: Reconciler\nmetadata: {name: ${name}}\nspec:\n  type: ${type}\n  for: {group: example.com, version: v1alpha1, kind: HelloWorld}\n  code:\n${code}`;

test('in/ Reconciler and Library objects become reconcilers and libraries, not inputs; files win over their in/ copies', async () => {
  const dir = await project({
    'in/choreo.kform.dev.reconciler.a.yaml': rec('a', '    reconciler.star: "def reconcile(self):\\n  return reconcile_result(self, False, 0, \\"\\", False)\\n"\n'),
    'in/choreo.kform.dev.reconciler.b.yaml': rec('b', '    main.tpl: "x"\n', 'gotemplate'),
    'in/choreo.kform.dev.library.lib.star.yaml': 'apiVersion: choreo.kform.dev/v1alpha1\nkind: Library\nmetadata: {name: lib.star}\nspec: {code: "X = 1", type: starlark}\n',
    'in/choreo.kform.dev.library.dup.star.yaml': 'apiVersion: choreo.kform.dev/v1alpha1\nkind: Library\nmetadata: {name: dup.star}\nspec: {code: "FROM_IN = 1"}\n',
    'libs/dup.star': 'FROM_FILE = 1\n',
    'reconcilers/b/config.yaml': 'apiVersion: choreo.kform.dev/v1alpha1\nkind: Reconciler\nspec:\n  for: {group: example.com, version: v1alpha1, kind: HelloWorld}\n',
    'reconcilers/b/whatever.star': 'def reconcile(self):\n  pass\n',
    'reconcilers/c.yaml': 'apiVersion: choreo.kform.dev/v1alpha1\nkind: Reconciler\nspec:\n  for: {group: example.com, version: v1alpha1, kind: HelloWorld}\n',
    'reconcilers/c.main.tpl': 'main',
    'reconcilers/c.part.tpl': 'part',
    'in/things.yaml': 'apiVersion: example.com/v1alpha1\nkind: HelloWorld\nmetadata: {name: t}\n',
    'in/bad.yaml': 'apiVersion: choreo.kform.dev/v1alpha1\nkind: Library\nmetadata: {name: bad.star}\nspec: {}\n---\n' + rec('d', '    x.py: "print(1)"\n'),
  });
  try {
    const p = await discoverProject(dir);
    assert.deepEqual(
      p.errors.map((e) => e.render().replace(dir + '/', '')),
      ['in/bad.yaml:1:1: Library bad.star: spec.code: Required value: the library\'s Starlark code', 'in/bad.yaml:6:1: Reconciler d: spec.code[x.py]: unknown code file type (want *.star, *.tpl or *.jinja2)'],
    );
    assert.deepEqual(p.inputs.map((m) => m.object.kind), ['HelloWorld']);
    assert.deepEqual(
      p.reconcilers.map((r) => [r.name, r.code.map((c) => [c.kind, c.name, c.file.replace(dir + '/', '')])]),
      [
        ['b', [['starlark', 'whatever.star', 'reconcilers/b/whatever.star']]],
        ['c', [['gotemplate', 'main.tpl', 'reconcilers/c.main.tpl'], ['gotemplate', 'part.tpl', 'reconcilers/c.part.tpl']]],
        ['a', [['starlark', 'reconciler.star', 'in/choreo.kform.dev.reconciler.a.yaml#spec.code.reconciler.star']]],
      ],
    );
    assert.deepEqual(p.libraries.map((l) => [l.names, l.code]), [[['dup.star'], 'FROM_FILE = 1\n'], [['lib.star'], 'X = 1']]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('run once: spec.type must match the code, and a reconciler has one language', async () => {
  const dir = await project({
    'crds/example.com_helloworlds.yaml': crdYaml('example.com', 'helloworlds', 'HelloWorld'),
    'in/r.yaml': rec('typed', '    reconciler.star: "def reconcile(self):\\n  pass\\n"\n', 'gotemplate'),
    'reconcilers/mixed/config.yaml': 'apiVersion: choreo.kform.dev/v1alpha1\nkind: Reconciler\nspec:\n  for: {group: example.com, version: v1alpha1, kind: HelloWorld}\n',
    'reconcilers/mixed/a.star': 'def reconcile(self):\n  pass\n',
    'reconcilers/mixed/main.tpl': 'x',
  });
  try {
    const r = await choreoctl(['run', 'once', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /reconcilers\/mixed\/config\.yaml:1:1: reconciler mixed: a reconciler has one language, found starlark and gotemplate code: .*reconcilers\/mixed\/a\.star, .*reconcilers\/mixed\/main\.tpl/);
    assert.match(r.stdout, /in\/r\.yaml:1:1: reconciler typed: spec\.type is gotemplate but the code is starlark: .*in\/r\.yaml#spec\.code\.reconciler\.star/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('reconciler directories may be grouped in folders (reconcilers/vendor/<vendor>/<name>/config.yaml)', async () => {
  const cfg = 'apiVersion: choreo.kform.dev/v1alpha1\nkind: Reconciler\nspec:\n  for: {group: example.com, version: v1alpha1, kind: HelloWorld}\n';
  const dir = await project({
    'reconcilers/vendor/srlinux.nokia.com/config-interface/config.yaml': cfg,
    'reconcilers/vendor/srlinux.nokia.com/config-interface/main.jinja2': 'x',
    'reconcilers/vendor/srlinux.nokia.com/config-interface/interface.jinja2': 'y',
    'reconcilers/top/config.yaml': cfg,
    'reconcilers/top/reconciler.star': 'def reconcile(self):\n  pass\n',
    'reconcilers/empty/readme.txt': '',
  });
  try {
    const p = await discoverProject(dir);
    assert.deepEqual(p.errors.map((e) => e.render().replace(dir + '/', '')), ['reconcilers/empty:1:1: reconciler directory has no config.yaml']);
    assert.deepEqual(p.reconcilers.map((r) => [r.name, r.code.map((c) => c.name)]), [['top', ['reconciler.star']], ['config-interface', ['interface.jinja2', 'main.jinja2']]]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
