// A small project for run once: a Network design object whose reconciler
// creates an IPIndex and an ASIndex, and Nodes whose reconciler claims a
// loopback address and an AS number, waits for them (is_conditionready) and
// writes them into a NodeConfig child. Options: the indexes also in in/ (so
// they exist before any reconcile), the node names, the AS range's end.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crdYaml } from '../helpers/crd.js';

const crd = (kind: string, plural: string) => crdYaml('example.com', plural, kind);

const reconcilerConfig = (name: string, kind: string, owns: Array<[string, string, string]>) => `apiVersion: choreo.kform.dev/v1alpha1
kind: Reconciler
metadata:
  name: ${name}
spec:
  for: {group: example.com, version: v1alpha1, kind: ${kind}}
  owns:
${owns.map(([g, v, k]) => `  - {group: ${g}, version: ${v}, kind: ${k}}`).join('\n')}
`;

const networkStar = `
def reconcile(self):
    ns = self["metadata"]["namespace"]
    name = self["metadata"]["name"]
    spec = self["spec"]
    prefixes = [{"prefix": p, "labels": {"purpose": "loopback"}} for p in spec["loopbacks"]]
    for obj in [
        {"apiVersion": "ipam.be.kuid.dev/v1alpha1", "kind": "IPIndex", "metadata": {"name": name, "namespace": ns}, "spec": {"prefixes": prefixes}},
        {"apiVersion": "as.be.kuid.dev/v1alpha1", "kind": "ASIndex", "metadata": {"name": name, "namespace": ns}, "spec": {"minID": spec["asMin"], "maxID": spec["asMax"]}},
    ]:
        rsp = client_create(obj)
        if rsp["error"] != None:
            return reconcile_result(self, True, 0, rsp["error"], rsp["fatal"])
    return reconcile_result(self, False, 0, "", False)
`;

const nodeStar = `
def claim(kind, name, ns, spec):
    group = "ipam" if kind == "IPClaim" else "as"
    return {"apiVersion": group + ".be.kuid.dev/v1alpha1", "kind": kind, "metadata": {"name": name, "namespace": ns}, "spec": spec}

def reconcile(self):
    ns = self["metadata"]["namespace"]
    name = self["metadata"]["name"]
    network = self["spec"]["network"]
    ipc = claim("IPClaim", name + ".loopback", ns, {"index": network, "addressFamily": "ipv4", "selector": {"matchLabels": {"purpose": "loopback"}}})
    asc = claim("ASClaim", name, ns, {"index": network})
    for c in [ipc, asc]:
        rsp = client_create(c)
        if rsp["error"] != None:
            return reconcile_result(self, True, 0, rsp["error"], rsp["fatal"])
    # The claims are applied when reconcile returns; their status changes re-trigger us (owns).
    got = {}
    for c in [ipc, asc]:
        rsp = client_get(c["metadata"]["name"], ns, c)
        if rsp["resource"] == None or is_conditionready(rsp["resource"], "Ready") != True:
            return reconcile_result(self, False, 0, "", False)
        got[c["kind"]] = rsp["resource"]["status"]
    cfg = {"apiVersion": "example.com/v1alpha1", "kind": "NodeConfig", "metadata": {"name": name, "namespace": ns},
           "spec": {"loopback": got["IPClaim"]["address"], "asn": got["ASClaim"]["id"]}}
    rsp = client_create(cfg)
    if rsp["error"] != None:
        return reconcile_result(self, True, 0, rsp["error"], rsp["fatal"])
    return reconcile_result(self, False, 0, "", False)
`;

export interface ProjectOptions {
  indexesIn?: boolean;
  nodes?: string[];
  asMax?: number;
}

export async function writeProject(dir: string, opts: ProjectOptions = {}): Promise<void> {
  await mkdir(join(dir, 'crds'), { recursive: true });
  await mkdir(join(dir, 'in'), { recursive: true });
  await mkdir(join(dir, 'reconcilers', 'network'), { recursive: true });
  await mkdir(join(dir, 'reconcilers', 'node'), { recursive: true });
  await writeFile(join(dir, 'crds', 'example.com_networks.yaml'), crd('Network', 'networks'));
  await writeFile(join(dir, 'crds', 'example.com_nodes.yaml'), crd('Node', 'nodes'));
  await writeFile(join(dir, 'crds', 'example.com_nodeconfigs.yaml'), crd('NodeConfig', 'nodeconfigs'));
  await writeFile(join(dir, 'reconcilers', 'network', 'config.yaml'), reconcilerConfig('network', 'Network', [['ipam.be.kuid.dev', 'v1alpha1', 'IPIndex'], ['as.be.kuid.dev', 'v1alpha1', 'ASIndex']]));
  await writeFile(join(dir, 'reconcilers', 'network', 'reconciler.star'), networkStar);
  await writeFile(
    join(dir, 'reconcilers', 'node', 'config.yaml'),
    reconcilerConfig('node', 'Node', [['ipam.be.kuid.dev', 'v1alpha1', 'IPClaim'], ['as.be.kuid.dev', 'v1alpha1', 'ASClaim'], ['example.com', 'v1alpha1', 'NodeConfig']]),
  );
  await writeFile(join(dir, 'reconcilers', 'node', 'reconciler.star'), nodeStar);
  const nodes = (opts.nodes ?? ['leaf1', 'leaf2', 'spine1', 'spine2', 'border1'])
    .map((n) => `apiVersion: example.com/v1alpha1\nkind: Node\nmetadata: {name: ${n}, namespace: default}\nspec: {network: fabric}\n`)
    .join('---\n');
  await writeFile(join(dir, 'in', 'nodes.yaml'), nodes);
  await writeFile(join(dir, 'in', 'network.yaml'), `apiVersion: example.com/v1alpha1\nkind: Network\nmetadata: {name: fabric, namespace: default}\nspec: {loopbacks: ["10.0.0.0/24", "2001:db8::/64"], asMin: 65100, asMax: ${opts.asMax ?? 65199}}\n`);
  if (opts.indexesIn) {
    const loopback = (p: string) => `{prefix: "${p}", labels: {purpose: loopback}}`;
    await writeFile(
      join(dir, 'in', 'indexes.yaml'),
      `apiVersion: ipam.be.kuid.dev/v1alpha1\nkind: IPIndex\nmetadata: {name: fabric, namespace: default}\nspec: {prefixes: [${loopback('10.0.0.0/24')}, ${loopback('2001:db8::/64')}]}\n---\n` +
        `apiVersion: as.be.kuid.dev/v1alpha1\nkind: ASIndex\nmetadata: {name: fabric, namespace: default}\nspec: {minID: 65100, maxID: ${opts.asMax ?? 65199}}\n`,
    );
  }
}

