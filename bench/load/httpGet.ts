// Load process of the tracking-link benchmark: GETs one path over N keep-alive connections (no redirect following)
// for a warm-up and a measured period; prints answers/s by status and latency percentiles.
// The client is a few lines over node:net (as wrk or autocannon are lean native clients): it writes the same request
// node:http's client sends and reads just the status and the body's length, so on a 2-core machine the load takes as
// little as it can of the CPU the server under test shares with it (node:http's client cost about as much per request
// as the bare server it drove).
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { ownPeakRssMb, sendResult } from '../lib/proc.js';
import { summarize } from '../lib/stats.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    path: { type: 'string' },
    connections: { type: 'string', default: '8' },
    'warmup-ms': { type: 'string', default: '2000' },
    'duration-ms': { type: 'string', default: '10000' },
  },
});
const port = Number(values.port);
const connections = Number(values.connections);
const t0 = performance.now();
const from = t0 + Number(values['warmup-ms']);
const to = from + Number(values['duration-ms']);
const statuses: Record<string, number> = {};
const latencies: number[] = [];
let location = '';
/** Every 302 this process received, warm-up included: each is a click the product must have recorded. */
let redirects = 0;

/**
 * Request i, header for header as node:http's client (with an Agent) sends it. A different visitor per request (as
 * real traffic): the IAB unique-click memory grows as it would.
 */
function request(i: number): string {
  return (
    `GET ${values.path} HTTP/1.1\r\n` +
    `user-agent: Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) bench/${i % 50_000}\r\n` +
    `x-forwarded-for: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}\r\n` +
    `Host: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`
  );
}

/** One keep-alive connection, one request at a time; answers are parsed just enough to find where each ends. */
class Connection {
  private socket: Socket | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { ok: (status: number) => void; fail: (e: Error) => void } | null = null;

  get(i: number): Promise<number> {
    return new Promise((ok, fail) => {
      this.waiting = { ok, fail };
      this.open().write(request(i), 'latin1');
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private open(): Socket {
    if (this.socket) return this.socket;
    const s = connect({ host: '127.0.0.1', port, noDelay: true });
    this.buf = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.parse();
    });
    const gone = (e?: Error) => {
      if (this.socket !== s) return;
      this.socket = null;
      const w = this.waiting;
      this.waiting = null;
      w?.fail(e ?? new Error('connection closed before the answer'));
    };
    s.on('error', gone);
    s.on('close', () => gone());
    this.socket = s;
    return s;
  }

  private parse(): void {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buf.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const lower = head.toLowerCase();
    const length = /\r\ncontent-length:\s*(\d+)/.exec(lower);
    let bodyEnd: number;
    if (length) bodyEnd = end + 4 + Number(length[1]);
    else if (/\r\ntransfer-encoding:[^\r]*chunked/.test(lower)) {
      const last = this.buf.indexOf('\r\n0\r\n\r\n', end + 2);
      if (last < 0) return;
      bodyEnd = last + 7;
    } else bodyEnd = end + 4; // no body (a 302 or 304 without a length)
    if (this.buf.length < bodyEnd) return;
    if (!location) location = /\r\nlocation:\s*([^\r]*)/i.exec(head)?.[1] ?? '';
    this.buf = this.buf.subarray(bodyEnd);
    const w = this.waiting;
    this.waiting = null;
    if (/\r\nconnection:\s*close/.test(lower)) this.close();
    w.ok(status);
  }
}

let n = 0;
async function worker(): Promise<void> {
  const conn = new Connection();
  while (performance.now() < to) {
    const start = performance.now();
    const status = await conn.get(n++);
    const end = performance.now();
    if (status === 302) redirects++;
    if (start < from || end > to) continue;
    statuses[status] = (statuses[status] ?? 0) + 1;
    latencies.push(end - start);
  }
  conn.close();
}
await Promise.all(Array.from({ length: connections }, worker));
const seconds = Number(values['duration-ms']) / 1000;
sendResult({
  per_s: Math.round((statuses['302'] ?? 0) / seconds),
  statuses,
  redirects,
  latency_ms: summarize(latencies),
  location,
  location_bytes: location.length,
  peak_rss_mb: ownPeakRssMb(),
});
process.exit(0);
