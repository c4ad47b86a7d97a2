// The optional Starlark modules, by the name scripts use for them. Hosts decide
// how to expose them (predeclared globals, or load("json", "json")).

import type { StarModule } from '../values/struct.js';
import { jsonModule } from './json.js';
import { mathModule } from './math.js';
import { timeModule } from './time.js';

export const modules: ReadonlyMap<string, StarModule> = new Map([
  ['json', jsonModule],
  ['math', mathModule],
  ['time', timeModule],
]);

export { jsonModule, mathModule, timeModule };
