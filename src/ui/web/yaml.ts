// JSON values as block YAML for reading (not for round-tripping): plain
// scalars where YAML reads them back as the same string, JSON-quoted
// otherwise. Small enough to avoid bundling a YAML library into the page.

const plain = /^[A-Za-z_./][A-Za-z0-9_ ./:@-]*$/;
const reserved = /^(true|false|null|yes|no|on|off|~)$/i;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return plain.test(v) && !reserved.test(v) && !v.endsWith(' ') && !v.includes(': ') ? v : JSON.stringify(v);
  return String(v);
}

function isEmpty(v: unknown): boolean {
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

export function toYaml(v: unknown, indent = ''): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return `${indent}[]\n`;
    return v
      .map((item) => {
        if (typeof item === 'object' && item !== null && !isEmpty(item)) {
          const inner = toYaml(item, `${indent}  `);
          return `${indent}- ${inner.slice(indent.length + 2)}`;
        }
        return `${indent}- ${isEmpty(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}\n`;
      })
      .join('');
  }
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v);
    if (entries.length === 0) return `${indent}{}\n`;
    return entries
      .map(([k, val]) => {
        const key = scalar(k);
        if (typeof val === 'object' && val !== null && !isEmpty(val)) return `${indent}${key}:\n${toYaml(val, Array.isArray(val) ? indent : `${indent}  `)}`;
        if (typeof val === 'string' && val.includes('\n')) return `${indent}${key}: |-\n${val.split('\n').map((l) => `${indent}  ${l}`).join('\n')}\n`;
        return `${indent}${key}: ${isEmpty(val) ? (Array.isArray(val) ? '[]' : '{}') : scalar(val)}\n`;
      })
      .join('');
  }
  return `${indent}${scalar(v)}\n`;
}
