// Launch-shaped event batches for load generators: the simulator's mix of types, serialised once as templates
// whose ids and timestamps are filled in per send (so every send is new to ingest's de-duplication).
import { request, Agent } from 'node:http';
import { generateMinute, planTraffic, type LaunchFile } from '@pulseroom/simulator';

const ROUND = '__R__';
const TS = '"__T__"';

export interface BatchTemplates {
  /** JSON bodies of `{ "events": [...] }` with placeholders. */
  bodies: string[];
  /** Events per type over all templates. */
  mix: Record<string, number>;
  perBatch: number;
}

/** `count` batches of `size` events, taken from the simulated launch's first minutes (launch wave and crisis). */
export function launchBatches(
  launch: unknown,
  count: number,
  size: number,
  seed = 7,
  onlyCampaign?: string,
  exceptTypes: readonly string[] = [],
): BatchTemplates {
  const plan = planTraffic({ launch: launch as LaunchFile, seed, startAt: Date.now() - 30 * 60_000 });
  const events: Record<string, unknown>[] = [];
  const want = count * size * (exceptTypes.length ? 1.2 : 1);
  for (let minute = 0; events.length < want; minute++) {
    for (const a of generateMinute(plan, minute)) {
      if (onlyCampaign && (a.kind === 'event' ? a.event.campaign_id : a.campaign_id) !== onlyCampaign) continue;
      if (a.kind === 'event') events.push({ ...a.event });
      else {
        events.push({ ...a.click });
        if (a.order) {
          events.push({ ...a.order.event });
          if (a.order.refund) events.push({ ...a.order.refund.event });
        }
      }
    }
    if (minute > 10_000) throw new Error('the simulator made too few events');
  }
  if (exceptTypes.length)
    events.splice(0, events.length, ...events.filter((e) => !exceptTypes.includes(String(e.type))));
  if (events.length < count * size) throw new Error('too few events left after excluding types');
  const mix: Record<string, number> = {};
  const bodies: string[] = [];
  for (let b = 0; b < count; b++) {
    const batch = events.slice(b * size, (b + 1) * size).map((e) => {
      mix[String(e.type)] = (mix[String(e.type)] ?? 0) + 1;
      const out: Record<string, unknown> = { ...e, ts: '__T__' };
      for (const k of ['event_id', 'order_id', 'click_id'] as const)
        if (typeof out[k] === 'string') out[k] = `${out[k]}-${ROUND}`;
      return out;
    });
    bodies.push(JSON.stringify({ events: batch }));
  }
  return { bodies, mix, perBatch: size };
}

/**
 * A template made concrete: ids unique to `round`, every ts = `ts` (the reference `compileTemplate` is checked
 * against).
 */
function fill(template: string, round: number | string, ts: number): string {
  return template.replaceAll(ROUND, String(round)).replaceAll(TS, String(ts));
}

/** A batch template cut at its placeholders into UTF-8 pieces, which `fillBytes` copies on every send. */
export interface CompiledTemplate {
  pieces: Buffer[];
  /** After pieces[i] comes holes[i] ('round' or 'ts'); the last piece has none. */
  holes: ('round' | 'ts')[];
  fixedBytes: number;
}

export function compileTemplate(template: string): CompiledTemplate {
  const pieces: Buffer[] = [];
  const holes: ('round' | 'ts')[] = [];
  const at = new RegExp(`${ROUND}|${TS}`, 'g');
  let from = 0;
  for (let m = at.exec(template); m; m = at.exec(template)) {
    pieces.push(Buffer.from(template.slice(from, m.index)));
    holes.push(m[0] === ROUND ? 'round' : 'ts');
    from = m.index + m[0].length;
  }
  pieces.push(Buffer.from(template.slice(from)));
  const compiled = { pieces, holes, fixedBytes: pieces.reduce((n, p) => n + p.length, 0) };
  if (!fillBytes(compiled, 'r1', 2).equals(Buffer.from(fill(template, 'r1', 2))))
    throw new Error('compileTemplate does not give what fill gives');
  return compiled;
}

/**
 * `fill` as the bytes a load generator sends, made in one pass of copies: the load process shares the machine's cores
 * with what it measures, so each send costs it as little as it can (two replaceAll passes, then the UTF-8 encoding of
 * the whole body, cost it about as much as the product's own JSON parse of it).
 */
export function fillBytes(t: CompiledTemplate, round: number | string, ts: number): Buffer {
  const r = String(round);
  const s = String(ts);
  let size = t.fixedBytes;
  for (const h of t.holes) size += h === 'round' ? r.length : s.length; // both ASCII
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (let i = 0; i < t.pieces.length; i++) {
    o += t.pieces[i].copy(out, o);
    if (i < t.holes.length) o += out.write(t.holes[i] === 'round' ? r : s, o, 'latin1');
  }
  return out;
}

export interface PostAnswer {
  status: number;
  body: string;
}

/** POSTs JSON over a keep-alive agent (node:http: less client overhead than fetch). */
export function postJson(
  agent: Agent,
  port: number,
  path: string,
  key: string,
  body: string | Buffer,
): Promise<PostAnswer> {
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${key}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}
