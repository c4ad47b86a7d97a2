// `choreoctl init`: writes the project (runner/scaffold.ts) and says what to run next.

import { scaffoldProject } from '../../runner/scaffold.js';

export async function initCommand(dir: string, o: { group: string; kind: string }): Promise<void> {
  const files = await scaffoldProject(dir, { group: o.group, kind: o.kind });
  process.stdout.write(`created ${dir}:\n${files.map((f) => `  ${f}\n`).join('')}\nnext:\n  choreoctl run once ${dir}\n  choreoctl test ${dir}\n`);
}
