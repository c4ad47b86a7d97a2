// End to end through `run once`: a project whose reconcilers create an IPIndex
// and an ASIndex from a design object, an IPClaim and an ASClaim per node
// (client_create), wait with is_conditionready and write the allocated values
// into each node's child. Two runs give identical --out trees.
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

test('run once: reconcilers claim IPs and AS numbers and use them; runs give identical output, also with 4 workers', async () => {
  const tmp = await tempDir();
  try {
    const project = join(tmp.dir, 'project');
    await writeProject(project);
    const outs: Array<Map<string, string>> = [];
    // Two runs with one worker, a third with four: allocation order must not depend on scheduling.
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

    const configs = parse(`[${outs[0]!.get('example.com_nodeconfigs.yaml')!.split('---\n').map((d) => JSON.stringify(parse(d))).join(',')}]`) as Array<{ metadata: { name: string }; spec: { loopback: string; asn: number } }>;
    const byName = Object.fromEntries(configs.map((c) => [c.metadata.name, c.spec]));
    assert.equal(Object.keys(byName).length, 5);
    const loopbacks = Object.values(byName).map((s) => s.loopback);
    const asns = Object.values(byName).map((s) => s.asn);
    assert.equal(new Set(loopbacks).size, 5);
    assert.equal(new Set(asns).size, 5);
    for (const l of loopbacks) assert.match(l, /^10\.0\.0\.[1-5]\/32$/);
    for (const a of asns) assert.ok(a >= 65100 && a <= 65104, String(a));
    assert.ok(outs[0]!.has('ipam.be.kuid.dev_ipentries.yaml'), [...outs[0]!.keys()].join(' '));
    assert.ok(outs[0]!.has('as.be.kuid.dev_asentries.yaml'));
  } finally {
    await tmp.cleanup();
  }
});
