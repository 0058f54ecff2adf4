// Launch-shaped event batches for load generators: the simulator's mix of types, serialised once as templates
// whose ids and timestamps are filled in per send (so every send is new to ingest's de-duplication).
import { request, Agent } from 'node:http';
import { generateMinute, planTraffic, type LaunchFile } from '@pulseroom/ingest/simulator/index';

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
export function launchBatches(launch: unknown, count: number, size: number, seed = 7, onlyCampaign?: string, exceptTypes: readonly string[] = []): BatchTemplates {
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
  if (exceptTypes.length) events.splice(0, events.length, ...events.filter((e) => !exceptTypes.includes(String(e.type))));
  if (events.length < count * size) throw new Error('too few events left after excluding types');
  const mix: Record<string, number> = {};
  const bodies: string[] = [];
  for (let b = 0; b < count; b++) {
    const batch = events.slice(b * size, (b + 1) * size).map((e) => {
      mix[String(e.type)] = (mix[String(e.type)] ?? 0) + 1;
      const out: Record<string, unknown> = { ...e, ts: '__T__' };
      for (const k of ['event_id', 'order_id', 'click_id'] as const) if (typeof out[k] === 'string') out[k] = `${out[k]}-${ROUND}`;
      return out;
    });
    bodies.push(JSON.stringify({ events: batch }));
  }
  return { bodies, mix, perBatch: size };
}

/** A template made concrete: ids unique to `round`, every ts = `ts`. */
export function fill(template: string, round: number | string, ts: number): string {
  return template.replaceAll(ROUND, String(round)).replaceAll(TS, String(ts));
}

export interface PostAnswer {
  status: number;
  body: string;
}

/** POSTs JSON over a keep-alive agent (node:http: less client overhead than fetch). */
export function postJson(agent: Agent, port: number, path: string, key: string, body: string): Promise<PostAnswer> {
  return new Promise((ok, fail) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${key}` } },
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
