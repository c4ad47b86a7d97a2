// The soak's HTTP client and bookkeeping: every request has a deadline, every
// answer is counted (requests served), and every failure is counted by class
// ("normal: HTTP 409", "normal: timeout", ...). /healthz latencies are kept
// with their time so a hostile case can ask what happened while it ran.

import type { SoakServer } from './server.js';

export type Lane = 'normal' | 'hostile';

export interface Answer {
  status?: number;
  json?: any;
  /** Set when no HTTP answer came: the failure class. */
  error?: string;
}

export class Client {
  readonly served: Record<Lane, number> = { normal: 0, hostile: 0 };
  readonly errors = new Map<string, number>();
  readonly healthz: { at: number; ms: number }[] = [];
  healthzTimeouts = 0;

  constructor(private readonly server: SoakServer) {}

  get base(): string {
    return this.server.url;
  }

  auth(): Record<string, string> {
    return this.server.token ? { Authorization: `Bearer ${this.server.token}` } : {};
  }

  alive(): boolean {
    return this.server.alive;
  }

  /** Changes whenever the server process is replaced. */
  generation(): number {
    return this.server.starts;
  }

  rss(): number | undefined {
    return this.server.rssMiB();
  }

  countError(cls: string): void {
    this.errors.set(cls, (this.errors.get(cls) ?? 0) + 1);
  }

  /**
   * One request. Normal-lane answers other than 2xx count as errors by status;
   * hostile-lane statuses are judged by the case. Failures without an answer
   * count in both lanes.
   */
  async call(lane: Lane, method: string, path: string, body?: string, opts: { contentType?: string; timeoutMs?: number } = {}): Promise<Answer> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    // While the server restarts there is no URL to call: wait for it (within the deadline).
    for (const until = Date.now() + timeoutMs; !this.server.serving; ) {
      if (Date.now() > until) {
        this.countError(`${lane}: server down`);
        return { error: 'server down' };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const headers: Record<string, string> = { ...this.auth(), Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
    try {
      const res = await fetch(this.base + path, { method, body, headers, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      this.served[lane]++;
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (lane === 'normal' && res.status >= 300) this.countError(`normal: HTTP ${res.status} ${json?.reason ?? ''} (${method} ${path.replace(/\/[^/?]*-\d+(?=$|[/?])/, '/<name>').split('?')[0]})`.replace('  ', ' '));
      return { status: res.status, json };
    } catch (err) {
      const cls = failureClass(err);
      this.countError(`${lane}: ${cls}`);
      return { error: cls };
    }
  }

  /** Probes /healthz once (5 s deadline); returns whether it answered 200. */
  async probe(): Promise<boolean> {
    const t = Date.now();
    try {
      const res = await fetch(this.base + '/healthz', { headers: this.auth(), signal: AbortSignal.timeout(5000) });
      await res.text();
      this.served.normal++;
      this.healthz.push({ at: t, ms: Date.now() - t });
      return res.status === 200;
    } catch (err) {
      const cls = failureClass(err);
      if (cls === 'timeout') {
        this.healthzTimeouts++;
        this.healthz.push({ at: t, ms: Date.now() - t });
      }
      this.countError(`healthz: ${cls}`);
      return false;
    }
  }

  healthzMaxSince(t: number): number {
    let max = 0;
    for (const h of this.healthz) if (h.at >= t && h.ms > max) max = h.ms;
    return max;
  }
}

/** timeout, connection refused/reset, or the error's own code. */
export function failureClass(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  const code = e?.cause?.code ?? e?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'connection reset';
  return code ?? e?.cause?.message ?? e?.message ?? String(err);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
