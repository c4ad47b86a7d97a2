// Colours for reports on a terminal: green for good news, red for bad, yellow
// for doubtful. Only when the stream is a TTY and NO_COLOR (no-color.org) is
// unset or empty, and TERM is not "dumb" — so pipes, files and CI logs get
// plain text and golden outputs never hold escape codes.

import { noPaint, type Paint } from '../../runner/observer.js';

const sgr = (code: number) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;

export function colorsWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** The paint for a report written to `stream`. */
export function paintFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Paint {
  return colorsWanted(stream, env) ? { good: sgr(32), bad: sgr(31), warn: sgr(33) } : noPaint;
}
