// choreoctl apply/get/delete/api-resources against a real API server, with
// the real kubectl as the reference for what output should look like.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { widget, widgetCrd } from '../apiserver/fixtures.js';
import { CliHarness } from './helpers.js';

describe('choreoctl client commands', () => {
  let h: CliHarness;
  before(async () => {
    h = await CliHarness.start();
  });
  after(async () => {
    await h.close();
  });

  test('apply -f: a CRD and its instances from one file, then unchanged, then configured', async () => {
    const f = h.file('all.yaml', `${widgetCrd}---\n${widget('a', '  size: 3\n', '  labels:\n    app: web\n')}---\n${widget('b', '  size: 4\n', '  labels:\n    app: db\n')}`);
    const first = await h.choreoctl(['apply', '-f', f]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\nwidget.example.com/a created\nwidget.example.com/b created\n');
    assert.equal(await h.ok(['apply', '-f', f]), 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com unchanged\nwidget.example.com/a unchanged\nwidget.example.com/b unchanged\n');
    const changed = h.file('b2.yaml', widget('b', '  size: 5\n', '  labels:\n    app: db\n'));
    assert.equal(await h.ok(['apply', '-f', changed]), 'widget.example.com/b configured\n');
    assert.match(await h.kubectl(['get', 'widget', 'b', '-o', 'jsonpath={.spec.size}']).then((r) => r.stdout), /^5$/);
    // the field manager is choreoctl
    const managers = JSON.parse((await h.kubectl(['get', 'widget', 'b', '-o', 'json', '--show-managed-fields'])).stdout).metadata.managedFields.map((m: { manager: string }) => m.manager);
    assert.deepEqual(managers, ['choreoctl']);
  });

  test('apply --dry-run reports the result without persisting it', async () => {
    const r = await h.choreoctl(['apply', '--dry-run', '-f', '-'], { input: widget('dry', '  size: 1\n') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'widget.example.com/dry created (server dry run)\n');
    assert.equal((await h.kubectl(['get', 'widget', 'dry'])).code, 1, 'nothing was stored');
    assert.equal(await h.ok(['apply', '--dry-run=server', '-f', '-'], { input: widget('dry', '  size: 1\n') }), 'widget.example.com/dry created (server dry run)\n');
    const client = await h.choreoctl(['apply', '--dry-run=client', '-f', '-'], { input: widget('dry', '  size: 1\n') });
    assert.equal(client.code, 1);
    assert.match(client.stderr, /client-side dry run is not supported/);
  });

  test('apply -f - reads stdin; a directory applies its manifests in name order', async () => {
    const r = await h.choreoctl(['apply', '-f', '-'], { input: widget('from-stdin', '  size: 1\n') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'widget.example.com/from-stdin created\n');
    const dir = join(h.dir, 'manifests');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(join(dir, '2-d.yaml'), widget('d', '  size: 1\n'));
    writeFileSync(join(dir, '1-c.json'), JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'c' }, spec: { size: 1 } }));
    writeFileSync(join(dir, 'README.md'), 'not a manifest');
    assert.equal(await h.ok(['apply', '-f', dir]), 'widget.example.com/c created\nwidget.example.com/d created\n');
  });

  test('apply: invalid YAML is reported with file:line:col and nothing is applied', async () => {
    const f = h.file('bad.yaml', `${widget('never', '  size: 1\n')}---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: [oops\n`);
    const r = await h.choreoctl(['apply', '-f', f]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^error: ${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: invalid YAML`, 'm'));
    assert.equal((await h.kubectl(['get', 'widget', 'never'])).code, 1, 'the valid document before the error must not be applied');
  });

  test('apply: a server error names the document position; other documents still apply', async () => {
    const f = h.file('mixed.yaml', `${widget('ok-one', '  size: 1\n')}---\n${widget('too-small', '  size: 0\n')}`);
    const r = await h.choreoctl(['apply', '-f', f]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'widget.example.com/ok-one created\n');
    assert.match(r.stderr, new RegExp(`^Error from server \\(Invalid\\): ${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:9:1: .*spec\\.size`, 'm'));
  });

  test('apply: a conflict with another manager fails without --force-conflicts and takes over with it', async () => {
    await h.kubectl(['apply', '--server-side', '--force-conflicts', '-f', h.file('kubectl-a.yaml', widget('a', '  size: 7\n', '  labels:\n    app: web\n'))]).then((r) => assert.equal(r.code, 0, r.stderr));
    const mine = h.file('mine-a.yaml', widget('a', '  size: 3\n', '  labels:\n    app: web\n'));
    const r = await h.choreoctl(['apply', '-f', mine]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^Error from server \\(Conflict\\): ${mine.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1:1: .*kubectl`, 'm'));
    assert.match(r.stderr, /--force-conflicts/);
    assert.equal(await h.ok(['apply', '-f', mine, '--force-conflicts']), 'widget.example.com/a configured\n');
    assert.equal((await h.kubectl(['get', 'widget', 'a', '-o', 'jsonpath={.spec.size}'])).stdout, '3');
  });

  test('get: table output is the server table aligned like kubectl, with -o wide and -A', async () => {
    const ours = await h.ok(['get', 'widgets']);
    const theirs = (await h.kubectl(['get', 'widgets'])).stdout;
    assert.equal(stripAge(ours), stripAge(theirs));
    assert.match(ours.split('\n')[0], /^NAME\s+SIZE\s+READY\s+AGE$/);
    const wide = await h.ok(['get', 'widgets', '-o', 'wide']);
    assert.match(wide.split('\n')[0], /^NAME\s+SIZE\s+COLOR\s+READY\s+AGE$/);
    assert.equal(stripAge(wide), stripAge((await h.kubectl(['get', 'widgets', '-o', 'wide'])).stdout));
    const all = await h.ok(['get', 'widgets', '-A']);
    assert.match(all, /^NAMESPACE\s+NAME\s+SIZE/);
    assert.match(all, /^default\s+a\s+3\s/m);
    assert.equal(stripAge(all), stripAge((await h.kubectl(['get', 'widgets', '-A'])).stdout));
  });

  test('get -o yaml and -o json print exactly what kubectl prints', async () => {
    // a value that must be quoted, a multi-line string and nested lists
    await h.ok(['apply', '-f', '-'], { input: widget('fancy', '  size: 2\n  items: ["yes", "2026-01-01", "a: b", "plain", "null", "~", "", "0x1F", "#x", " lead", "n", "1.5", "007"]\n', '  annotations:\n    note: "two\\nlines"\n') });
    for (const args of [['widget', 'fancy'], ['wd'], ['widgets.example.com', 'a', 'b']]) {
      for (const format of ['yaml', 'json']) {
        const ours = await h.ok(['get', ...args, '-o', format]);
        const theirs = (await h.kubectl(['get', ...args, '-o', format])).stdout;
        assert.equal(ours, theirs, `get ${args.join(' ')} -o ${format}`);
      }
    }
    assert.equal(await h.ok(['get', 'wd', '-l', 'app=web', '-o', 'name']), 'widget.example.com/a\n');
  });

  test('get -o yaml/json match kubectl byte for byte on values that need quoting, folding and block scalars', async () => {
    await h.ok(['apply', '-f', '-'], { input: blobCrd });
    const items = [
      'a long string that goes on and on and on and on and on and on and on and on and on and on and on forever more',
      ...['yes', 'y', 'No', '~', 'null', '', '  ', 'a: b', 'a:b', '#x', 'x #y', ' lead', 'trail ', '- x', '-x', '? x', '--- x', '@x', "'q'", '"dq"', "it's"],
      ...['0x1F', '0o17', '017', '08', '1_000', '+5', '1.5', '1e3', '.5', '1:20', '2026-01-01', '2026-13-01', '2026-1-2T3:04:05Z', '2026-01-02 03:04:05', '<<', '1e400', '-0b11'],
      ...['tab\there', 'ctl\u0001x', 'emoji \u{1F600}', 'ünïcödé', 'nbsp\u00a0x', 'line1\nline2', 'line1\nline2\n', 'a\n\nb\n\n', '\nlead break', ' lead\nspace', 'trail \nbreak', '\n'],
      "a very long string with 'single quotes' that needs quoting: because of colon space and goes on past eighty columns",
      'a very long string with "double" quotes and a tab\tthat must be double quoted and goes on and on past eighty columns',
      'word  double  spaces  that  goes  on  and  on  and  on  and  on  and  on  and  on  and  on  and  on  and  on',
    ];
    const spec = {
      items,
      keys: { '': 'empty', 'k: v': 1, 'multi\nline': 2, yes: 3, '#c': 4, '10': 'ten', '2': 'two', 'a<b&c>': 'html<&>', 'ü': 1, z: 2, 'a-1': 5, 'a.b': 6, a9: 7, a10: 8, x02: 9, x2: 10, x010: 11 },
      nested: { lists: [[1, 2], [], {}, [{ a: 1, b: [] }], { c: { d: 'e' } }], floats: [0.5, 1234567.5, 0.00001, -0.25, 1e21, 3.0] },
    };
    const blob = { apiVersion: 'example.com/v1', kind: 'Blob', metadata: { name: 'tricky', annotations: { text: 'first line\nsecond\n' } }, spec };
    await h.ok(['apply', '-f', '-'], { input: JSON.stringify(blob) });
    for (const format of ['yaml', 'json']) {
      const ours = await h.ok(['get', 'blob', 'tricky', '-o', format]);
      assert.equal(ours, (await h.kubectl(['get', 'blob', 'tricky', '-o', format])).stdout, `-o ${format}`);
    }
    // narrow columns take tabwriter's minimum width; an empty last cell keeps the padding before it
    await h.ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Blob', metadata: { name: 'x' }, spec: { k: 7, e: 'é' } }) });
    const table = await h.ok(['get', 'blobs']);
    assert.equal(table, 'NAME     K     E\ntricky         \nx        7     é\n');
    assert.equal(table, (await h.kubectl(['get', 'blobs'])).stdout);
  });

  test('get: short name, kind, singular and .group all resolve; -l filters', async () => {
    for (const type of ['wd', 'Widget', 'widget', 'widgets.example.com', 'widgets.v1.example.com']) {
      const out = await h.ok(['get', type, 'a']);
      assert.match(out, /^a\s+3\s/m, `get ${type} a`);
    }
    const sel = await h.ok(['get', 'wd', '-l', 'app=db']);
    assert.deepEqual(names(sel), ['b']);
    const notSel = await h.ok(['get', 'wd', '-l', 'app!=db,app']);
    assert.deepEqual(names(notSel), ['a']);
    const none = await h.choreoctl(['get', 'wd', '-l', 'app=nothing']);
    assert.equal(none.stdout, '');
    assert.equal(none.stderr, 'No resources found in default namespace.\n');
  });

  test('get -w prints the object, then an update as it happens (table)', async () => {
    const w = h.stream(['get', 'wd', 'b', '-w']);
    try {
      await w.waitFor(/^b\s+5\s/m);
      await h.ok(['apply', '-f', '-'], { input: widget('b', '  size: 9\n', '  labels:\n    app: db\n') });
      const out = await w.waitFor(/^b\s+9\s/m, 10_000);
      assert.deepEqual(
        out.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' ')),
        ['NAME SIZE', 'b 5', 'b 9'],
        'one header, the current state once, then the update',
      );
    } finally {
      const { code } = await w.stop();
      assert.ok(code === 0 || code === null, `get -w should stop cleanly on SIGINT (exit ${code})`);
    }
  });

  test('get -w -o yaml prints each object as its own document, like kubectl', async () => {
    const w = h.stream(['get', 'wd', '-l', 'app=db', '-o', 'yaml', '-w']);
    try {
      await w.waitFor(/size: 9/);
      await h.ok(['apply', '-f', '-'], { input: widget('b2', '  size: 2\n', '  labels:\n    app: db\n') });
      const out = await w.waitFor(/name: b2/, 10_000);
      const docs = out.split(/^---\n/m);
      assert.equal(docs.length, 2, out);
      assert.match(docs[0], /^apiVersion: example\.com\/v1\nkind: Widget\n/);
      assert.match(docs[1], /^apiVersion: example\.com\/v1\nkind: Widget\n[\s\S]*name: b2\n/);
      assert.doesNotMatch(out, /kind: List/);
    } finally {
      await w.stop();
    }
  });

  test('errors from the server and unknown types are rendered like kubectl', async () => {
    for (const args of [['get', 'wd', 'nope'], ['get', 'nosuchtype'], ['get', 'crd', 'nope'], ['delete', 'wd', 'nope'], ['get', 'wd', 'a', '-A']]) {
      const ours = await h.choreoctl(args);
      const theirs = await h.kubectl(args);
      assert.equal(ours.code, 1, args.join(' '));
      assert.equal(ours.stderr, theirs.stderr, args.join(' '));
    }
    // found names print, missing ones are errors; empty listings print as kubectl prints them
    const cases = [
      ['get', 'wd', 'a', 'ghost', '-o', 'name'],
      ['get', 'wd', 'a', 'ghost'],
      ['get', 'wd', 'ghost', 'a', '-o', 'yaml'],
      ...['yaml', 'json', 'name', 'wide'].map((f) => ['get', 'wd', '-n', 'nobody-here', '-o', f]),
      ['get', 'wd', '-n', 'nobody-here'],
    ];
    for (const args of cases) {
      const ours = await h.choreoctl(args);
      const theirs = await h.kubectl(args);
      assert.deepEqual({ code: ours.code, stdout: stripAge(ours.stdout), stderr: ours.stderr }, { code: theirs.code, stdout: stripAge(theirs.stdout), stderr: theirs.stderr }, args.join(' '));
    }
    const ours = await h.choreoctl(['get', 'wd', 'nope']);
    assert.equal(ours.stderr, 'Error from server (NotFound): widgets.example.com "nope" not found\n');
  });

  test('delete: prints kubectl lines, waits until gone, reports NotFound for the missing one', async () => {
    const r = await h.choreoctl(['delete', 'widget', 'c', 'd', 'ghost']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'widget.example.com "c" deleted\nwidget.example.com "d" deleted\n');
    assert.equal(r.stderr, 'Error from server (NotFound): widgets.example.com "ghost" not found\n');
    assert.equal((await h.kubectl(['get', 'widget', 'c'])).code, 1);
    assert.equal((await h.choreoctl(['delete', 'wd/ghost', '--ignore-not-found'])).code, 0);
  });

  test('delete -f deletes the objects of a manifest, naming the document of any that fails', async () => {
    const f = h.file('del.yaml', `${widget('del-1', '  size: 1\n')}---\n${widget('del-2', '  size: 1\n')}`);
    await h.ok(['apply', '-f', f]);
    const gone = h.file('del-missing.yaml', `${widget('del-1', '  size: 1\n')}---\n${widget('never-was', '  size: 1\n')}`);
    await h.ok(['delete', 'wd', 'del-2']);
    const r = await h.choreoctl(['delete', '-f', gone]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'widget.example.com "del-1" deleted\n');
    assert.equal(r.stderr, `Error from server (NotFound): ${gone}:9:1: widgets.example.com "never-was" not found\n`);
    assert.equal((await h.choreoctl(['delete', 'wd', '-f', gone])).code, 1, 'a type and -f together are refused');
  });

  test('delete --wait waits for finalizers; --no-wait returns at once', async () => {
    await h.ok(['apply', '-f', '-'], { input: widget('held', '  size: 1\n', '  finalizers:\n  - example.com/hold\n') });
    assert.equal(await h.ok(['delete', 'wd', 'held', '--no-wait']), 'widget.example.com "held" deleted\n');
    const stillThere = JSON.parse((await h.kubectl(['get', 'wd', 'held', '-o', 'json'])).stdout);
    assert.ok(stillThere.metadata.deletionTimestamp, 'deletion started');
    const timedOut = await h.choreoctl(['delete', 'wd', 'held', '--timeout', '1']);
    assert.equal(timedOut.code, 1);
    assert.match(timedOut.stderr, /timed out waiting for widget.example.com "held" to be deleted/);
    // release the finalizer while a delete waits: it returns once the object is gone
    const waiting = h.stream(['delete', 'wd', 'held', '--timeout', '15']);
    await waiting.waitFor(/"held" deleted/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await Promise.race([waiting.exited.then(() => 'exited'), Promise.resolve('waiting')]), 'waiting', 'still waiting for the finalizer');
    await h.kubectl(['patch', 'wd', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']).then((x) => assert.equal(x.code, 0, x.stderr));
    assert.equal(await waiting.exited, 0);
  });

  test('-n applies to a namespace and get -A lists across namespaces', async () => {
    await h.ok(['apply', '-f', '-'], { input: stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }) });
    assert.equal(await h.ok(['apply', '-n', 'team-a', '-f', '-'], { input: widget('in-team', '  size: 2\n') }), 'widget.example.com/in-team created\n');
    assert.deepEqual(names(await h.ok(['get', 'wd', '-n', 'team-a'])), ['in-team']);
    assert.match(await h.ok(['get', 'wd', '-A']), /^team-a\s+in-team\s+2\s/m);
    const mismatch = await h.choreoctl(['apply', '-n', 'team-a', '-f', '-'], { input: widget('x', '  size: 1\n', '  namespace: default\n') });
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /does not match the namespace "team-a"/);
  });

  test('api-resources lists the CRD and matches kubectl line for line', async () => {
    const ours = await h.ok(['api-resources']);
    assert.match(ours, /^widgets\s+wd\s+example\.com\/v1\s+true\s+Widget$/m);
    assert.equal(ours, (await h.kubectl(['api-resources'])).stdout);
    assert.equal(await h.ok(['api-resources', '--api-group', 'example.com', '-o', 'name']), 'blobs.example.com\nwidgets.example.com\n');
  });

  test('KUBECONFIG with two files is merged (server from one, context and namespace from the other)', async () => {
    await h.ok(['apply', '-f', '-'], { input: stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'merged-ns' } }) });
    await h.ok(['apply', '-n', 'merged-ns', '-f', '-'], { input: widget('only-here', '  size: 1\n') });
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const base = parse(readFileSync(h.kubeconfig, 'utf8')) as { clusters: unknown[]; users: unknown[] };
    const clusters = h.file('clusters.yaml', stringify({ apiVersion: 'v1', kind: 'Config', clusters: base.clusters, users: base.users }));
    const contexts = h.file(
      'contexts.yaml',
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        contexts: [
          { name: 'mine', context: { cluster: 'choreo', user: 'choreo', namespace: 'merged-ns' } },
          { name: 'other', context: { cluster: 'choreo', user: 'choreo', namespace: 'team-a' } },
        ],
        'current-context': 'mine',
      }),
    );
    const env = { KUBECONFIG: `${contexts}:${clusters}` };
    const r = await h.choreoctl(['get', 'wd'], { noKubeconfigFlag: true, env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(names(r.stdout), ['only-here']);
    assert.deepEqual(names(await h.ok(['get', 'wd', '--context', 'other'], { noKubeconfigFlag: true, env })), ['in-team']);
    assert.deepEqual(names(await h.ok(['get', 'wd', '--context', 'other', '-n', 'merged-ns'], { noKubeconfigFlag: true, env })), ['only-here']);
    const onlyOne = await h.choreoctl(['get', 'wd'], { noKubeconfigFlag: true, env: { KUBECONFIG: contexts } });
    assert.equal(onlyOne.code, 1);
    assert.match(onlyOne.stderr, /refers to cluster "choreo", which does not exist/);
  });
});

describe('choreoctl against an https server with a bearer token', () => {
  test('the kubeconfig CA and token are used; a wrong token is Unauthorized', async () => {
    const h = await CliHarness.start({ token: 'sekret-token' });
    try {
      const { readFileSync } = await import('node:fs');
      const kc = readFileSync(h.kubeconfig, 'utf8');
      assert.match(kc, /server: https:/);
      assert.match(kc, /certificate-authority-data/);
      assert.equal(await h.ok(['apply', '-f', '-'], { input: widgetCrd }), 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n');
      assert.match(await h.ok(['get', 'crd']), /^widgets\.example\.com\s/m);
      const bad = h.file('bad-token', kc.replace('sekret-token', 'wrong-token'));
      const r = await h.choreoctl(['get', 'crd', '--kubeconfig', bad], { noKubeconfigFlag: true });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^Error from server \(Unauthorized\)/);
    } finally {
      await h.close();
    }
  });
});

const blobCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: blobs.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: blobs, singular: blob, kind: Blob}
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: K, type: integer, jsonPath: .spec.k}
    - {name: E, type: string, jsonPath: .spec.e}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-preserve-unknown-fields: true
`;

function stripAge(table: string): string {
  // ages may differ by a second between two runs (AGE is the last column, so no alignment depends on it)
  return table.replace(/\b\d+(s|m|h|d)\b/g, 'AGE');
}

function names(table: string): string[] {
  return table
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0]);
}

test('every client command has --help with examples and the connection flags', async () => {
  const { execFile } = await import('node:child_process');
  const { cli } = await import('./helpers.js');
  for (const cmd of ['apply', 'get', 'delete', 'api-resources']) {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [cli, cmd, '--help'], { timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(String(stdout)))),
    );
    assert.match(out, new RegExp(`Usage: choreoctl ${cmd}`), cmd);
    assert.match(out, /Examples:\n {2}(# .*\n {2})?choreoctl /, cmd);
    assert.match(out, /--kubeconfig <file>/, cmd);
    assert.match(out, /--context <name>/, cmd);
  }
});
