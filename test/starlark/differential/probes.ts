// The hand-written probes of the differential Starlark test: one small
// program per behaviour where our interpreter and starlark-go have differed
// (test/starlark/differential/probes.star, chunks separated by `---`, each
// opening with `# name`; `# option:NAME` enables a dialect option;
// `# pending: why` marks a known difference not fixed yet).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DIALECT_OPTIONS, type DialectOption } from '../../../src/starlark/testing/chunks.js';
import type { Job } from '../../../src/starlark/testing/differential.js';

const file = fileURLToPath(new URL('../../../../test/starlark/differential/probes.star', import.meta.url));

export interface Probe {
  name: string;
  job: Job;
  /** `# pending: why` — a known difference not fixed yet; it must still differ. */
  pending?: string;
}

export function loadProbes(): Probe[] {
  const chunks = readFileSync(file, 'utf8').split(/^---$/m);
  return chunks.map((src, i) => {
    const name = /^# (.*)$/m.exec(src)?.[1] ?? `probe ${i + 1}`;
    const options = [...src.matchAll(/option:(\w+)/g)].map((m) => m[1]!).filter((o): o is DialectOption => (DIALECT_OPTIONS as readonly string[]).includes(o));
    const pending = /^# pending: (.*)$/m.exec(src)?.[1];
    return { name, job: { src: src.replace(/^\n/, ''), options }, ...(pending === undefined ? {} : { pending }) };
  });
}
