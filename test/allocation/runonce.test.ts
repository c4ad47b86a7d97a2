// End to end through `run once`: a project whose reconcilers create an IPIndex
// and an ASIndex from a design object, an IPClaim and an ASClaim per node
// (client_create), wait with is_conditionready and write the allocated values
// into each node's child. Claims are allocated in the write that creates them
// (first come, first served, as kuid): runs give identical --out trees, and a
// claim that cannot be allocated fails the run naming the claim and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parse } from 'yaml';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readOut } from '../../src/runner/output.js';
import { tempDir } from './helpers.js';
import { writeProject } from './project.js';

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

async function choreoctl(args: string[]): Promise<{ code: number; out: string }> {
  try {
    // Without NODE_TEST_CONTEXT, or under `node --test` the child would act as a test subprocess.
    const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], { timeout: 60_000, env });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

const nodeConfigs = (out: Map<string, string>) => {
  const configs = parse(`[${out.get('example.com_nodeconfigs.yaml')!.split('---\n').map((d) => JSON.stringify(parse(d))).join(',')}]`) as Array<{ metadata: { name: string }; spec: { loopback: string; asn: number } }>;
  return Object.fromEntries(configs.map((c) => [c.metadata.name, c.spec]));
};

test('run once: claims are allocated in the write; runs give identical output, also with 4 workers', async () => {
  const tmp = await tempDir();
  try {
    const project = join(tmp.dir, 'project');
    // Indexes loaded from in/ before any reconcile; nodes queued in name order, the order 4 workers' batches decide in.
    await writeProject(project, { indexesIn: true, nodes: ['node1', 'node2', 'node3', 'node4', 'node5'] });
    const outs: Array<Map<string, string>> = [];
    for (const run of [1, 2, 3]) {
      const out = join(tmp.dir, `out${run}`);
      const r = await choreoctl(['run', 'once', project, '--out', out, ...(run === 3 ? ['--workers', '4'] : [])]);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /^run succeeded: all objects ready/);
      outs.push(await readOut(out));
    }
    for (const other of [outs[1]!, outs[2]!]) {
      assert.deepEqual([...outs[0]!.keys()], [...other.keys()]);
      for (const [file, text] of outs[0]!) assert.equal(other.get(file), text, `${file} differs between runs`);
    }
    // First come, first served from the first address of the aggregate and the lowest id.
    const byName = nodeConfigs(outs[0]!);
    assert.deepEqual(
      Object.keys(byName).sort().map((n) => [n, byName[n]!.loopback, byName[n]!.asn]),
      [0, 1, 2, 3, 4].map((i) => [`node${i + 1}`, `10.0.0.${i}/32`, 65100 + i]),
    );
    assert.ok(outs[0]!.has('ipam.be.kuid.dev_ipentries.yaml'), [...outs[0]!.keys()].join(' '));
    assert.ok(outs[0]!.has('as.be.kuid.dev_asentries.yaml'));
  } finally {
    await tmp.cleanup();
  }
});

test('run once: a reconciler that creates the indexes and one that creates claims and reads them back see them allocated', async () => {
  const tmp = await tempDir();
  try {
    const project = join(tmp.dir, 'project');
    await writeProject(project);
    const out = join(tmp.dir, 'out');
    const r = await choreoctl(['run', 'once', project, '--out', out]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^run succeeded: all objects ready/);
    const byName = nodeConfigs(await readOut(out));
    assert.deepEqual(Object.keys(byName).sort(), ['border1', 'leaf1', 'leaf2', 'spine1', 'spine2']);
    const loopbacks = Object.values(byName).map((s) => s.loopback);
    const asns = Object.values(byName).map((s) => s.asn);
    assert.equal(new Set(loopbacks).size, 5);
    assert.equal(new Set(asns).size, 5);
    for (const l of loopbacks) assert.match(l, /^10\.0\.0\.[0-4]\/32$/);
    for (const a of asns) assert.ok(a >= 65100 && a <= 65104, String(a));
  } finally {
    await tmp.cleanup();
  }
});

test('run once: a claim that cannot be allocated is refused by its write and fails the run, naming the claim and why', async () => {
  const tmp = await tempDir();
  try {
    const project = join(tmp.dir, 'project');
    // Three AS numbers for five nodes.
    await writeProject(project, { indexesIn: true, nodes: ['node1', 'node2', 'node3', 'node4', 'node5'], asMax: 65102 });
    const r = await choreoctl(['run', 'once', project, '--timeout', '10']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /^run failed/);
    assert.match(r.out, /ASClaim default\/node[45] cannot be allocated: no free id in index range 65100-65102/);
  } finally {
    await tmp.cleanup();
  }
});
