// String formats that Kubernetes validates in CRD schemas (kube-openapi's
// strfmt registry subset). Each format is a predicate on the string; unknown
// formats are accepted, as Kubernetes ignores formats it does not know.
// Trade-off: hand-written checks instead of a format library — a few lines
// each, no dependency, and exactly the k8s set.

const uuidRe = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const uuidVersionRe = (v: number) => new RegExp(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?${v}[0-9a-fA-F]{3}-?[89abAB][0-9a-fA-F]{3}-?[0-9a-fA-F]{12}$`);
const dateRe = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTimeRe = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const hostnameRe = /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*\.?$/;
const emailRe = /^[^\s@]+@[^\s@]+$/;
const macRe = /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{2}[:-]){7}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}$/;
const durationRe = /^(-?\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$/;
const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function validDate(y: string, m: string, d: string): boolean {
  const mo = Number(m);
  const da = Number(d);
  if (mo < 1 || mo > 12 || da < 1) return false;
  const days = new Date(Date.UTC(Number(y), mo, 0)).getUTCDate();
  return da <= days;
}

export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

export function isIPv6(s: string): boolean {
  if (s.includes('%')) return false;
  // An embedded IPv4 tail ("::ffff:1.2.3.4") counts as two 16-bit groups.
  let head = s;
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.slice(lastColon + 1).includes('.')) {
    if (!isIPv4(s.slice(lastColon + 1))) return false;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.split('::');
  if (dbl.length > 2) return false;
  const groups = (x: string) => (x === '' ? [] : x.split(':'));
  const left = groups(dbl[0]);
  const right = dbl.length === 2 ? groups(dbl[1]) : [];
  if (![...left, ...right].every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const n = left.length + right.length;
  return dbl.length === 2 ? n < 8 : n === 8;
}

export function isCIDR(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(bits)) return false;
  if (isIPv4(ip)) return Number(bits) <= 32;
  if (isIPv6(ip)) return Number(bits) <= 128;
  return false;
}

const checks: Record<string, (s: string) => boolean> = {
  'date-time': (s) => {
    const m = dateTimeRe.exec(s);
    return !!m && validDate(m[1], m[2], m[3]) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 61;
  },
  date: (s) => {
    const m = dateRe.exec(s);
    return !!m && validDate(m[1], m[2], m[3]);
  },
  byte: (s) => base64Re.test(s),
  uri: (s) => {
    try {
      return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && !!new URL(s);
    } catch {
      return false;
    }
  },
  ipv4: isIPv4,
  ipv6: isIPv6,
  cidr: isCIDR,
  mac: (s) => macRe.test(s),
  uuid: (s) => uuidRe.test(s),
  uuid3: (s) => uuidVersionRe(3).test(s),
  uuid4: (s) => uuidVersionRe(4).test(s),
  uuid5: (s) => uuidVersionRe(5).test(s),
  hostname: (s) => hostnameRe.test(s),
  email: (s) => emailRe.test(s),
  duration: (s) => durationRe.test(s),
};
checks.datetime = checks['date-time'];

/** The checker for a string format, or undefined when the format is not validated. */
export function formatChecker(format: string | undefined): ((s: string) => boolean) | undefined {
  return format === undefined ? undefined : checks[format];
}
