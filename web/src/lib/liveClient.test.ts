import { describe, expect, it } from 'vitest';
import { LiveClient, type LiveSocket } from './liveClient';
import type { LiveView } from './liveState';
import { row, snapshot } from './testData';
import { packSnapshot } from '@pulseroom/schema/snapshotWire';

/** A stand-in for the socket.io client socket: records emits, lets the test fire server events. */
class FakeSocket {
  handlers = new Map<string, ((...a: unknown[]) => void)[]>();
  emitted: { event: string; args: unknown[] }[] = [];
  connected = false;
  active = true;
  connects = 0;
  disconnects = 0;
  on(ev: string, fn: (...a: unknown[]) => void) {
    this.handlers.set(ev, [...(this.handlers.get(ev) ?? []), fn]);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    this.emitted.push({ event, args });
    return this;
  }
  fire(ev: string, ...args: unknown[]) {
    for (const fn of this.handlers.get(ev) ?? []) fn(...args);
  }
  serverConnect() {
    this.connected = true;
    this.fire('connect');
  }
  connect() {
    this.connects++;
    return this;
  }
  disconnect() {
    this.disconnects++;
    this.connected = false;
    return this;
  }
  removeAllListeners() {
    this.handlers.clear();
    return this;
  }
  subscribes() {
    return this.emitted.filter((e) => e.event === 'subscribe');
  }
}

function setup(
  request: { campaign_id: string; window: '5m'; partner_id?: string } = { campaign_id: 'c1', window: '5m' },
) {
  const sock = new FakeSocket();
  let t = 1_000_000;
  let tick: () => void = () => {};
  const views: LiveView[] = [];
  const client = new LiveClient({
    token: 'tok',
    request,
    onView: (v) => views.push(v),
    connect: () => sock as unknown as LiveSocket,
    now: () => t,
    setTimer: (fn) => {
      tick = fn;
      return 1;
    },
    clearTimer: () => {},
  });
  return { sock, client, views, advance: (ms: number) => ((t += ms), tick()), now: () => t };
}

describe('LiveClient', () => {
  it('subscribes on every connect and applies snapshot then deltas', () => {
    const { sock, views, client } = setup();
    sock.serverConnect();
    expect(sock.subscribes()).toHaveLength(1);
    sock.fire('snapshot', packSnapshot(snapshot()));
    sock.fire('delta', {
      campaign_id: 'c1',
      window: '5m',
      at: 2,
      seq: 2,
      groups: { campaign: [row('all', { clicks: 42 })] },
      series: [],
    });
    expect(views.at(-1)!.groups.campaign[0].metrics.clicks).toBe(42);
    sock.serverConnect(); // reconnect → fresh subscription
    expect(sock.subscribes()).toHaveLength(2);
    expect(client.getStatus().reconnects).toBe(1);
  });
  it('resubscribes on a seq gap', () => {
    const { sock } = setup();
    sock.serverConnect();
    sock.fire('snapshot', packSnapshot(snapshot()));
    sock.fire('delta', { campaign_id: 'c1', window: '5m', at: 2, seq: 9, groups: {}, series: [] });
    expect(sock.subscribes()).toHaveLength(2);
  });
  it('ignores feed items of other campaigns and caps nothing it should not', () => {
    const { sock, views } = setup();
    sock.serverConnect();
    sock.fire('snapshot', packSnapshot(snapshot()));
    const n = views.length;
    sock.fire('comment', {
      campaign_id: 'other',
      event_id: 'x',
      ts: 1,
      partner_id: 'p',
      platform: 'x',
      content_id: 'c',
      text: 'hi',
      sentiment: 0,
      label: 'neu',
      lang: 'en',
    });
    expect(views.length).toBe(n);
    sock.fire('comment', {
      campaign_id: 'c1',
      event_id: 'y',
      ts: 1,
      partner_id: 'p',
      platform: 'x',
      content_id: 'c',
      text: '<img src=x onerror=alert(1)>',
      sentiment: 0,
      label: 'neu',
      lang: 'en',
    });
    expect(views.at(-1)!.comments[0].text).toBe('<img src=x onerror=alert(1)>');
  });
  it('probes a quiet link, then reconnects with backoff when data stops', () => {
    const { sock, advance } = setup();
    sock.serverConnect();
    sock.fire('snapshot', packSnapshot(snapshot()));
    advance(5000);
    expect(sock.subscribes()).toHaveLength(1);
    advance(3000); // 8 s of silence: probe
    expect(sock.subscribes()).toHaveLength(2);
    advance(2500); // 10.5 s: stale → reconnect
    expect(sock.disconnects).toBe(1);
    expect(sock.connects).toBe(1);
    advance(200); // within backoff: no hammering
    expect(sock.connects).toBe(1);
    sock.serverConnect();
    sock.fire('snapshot', packSnapshot(snapshot({ seq: 5 })));
    advance(1000);
    expect(sock.connects).toBe(1);
  });
  it('changing the request resubscribes and drops deltas of the old one', () => {
    const { sock, client, views } = setup();
    sock.serverConnect();
    sock.fire('snapshot', packSnapshot(snapshot()));
    client.setRequest({ campaign_id: 'c1', window: '1h' });
    expect(sock.subscribes().at(-1)!.args[0]).toEqual({ campaign_id: 'c1', window: '1h' });
    const n = views.length;
    sock.fire('delta', { campaign_id: 'c1', window: '5m', at: 2, seq: 2, groups: {}, series: [] });
    expect(views.length).toBe(n);
    sock.fire('snapshot', packSnapshot(snapshot({ window: '1h' })));
    expect(views.at(-1)!.window).toBe('1h');
  });

  it("keeps a partner view's notes and campaign-wide ones, drops removed ones, and takes pushed sources", () => {
    const { sock, views } = setup({ campaign_id: 'c1', window: '5m', partner_id: 'p1' });
    sock.serverConnect();
    sock.fire('snapshot', packSnapshot(snapshot({ partners: [] })));
    const note = (id: string, partner_id: string, ts: number) => ({
      id,
      campaign_id: 'c1',
      partner_id,
      ts,
      text: `note ${id}`,
      author: 'Ops',
    });
    sock.fire('annotation', note('a', 'p1', 10));
    sock.fire('annotation', note('b', 'p2', 20)); // another partner's: not this view's
    sock.fire('annotation', note('c', '', 30));
    sock.fire('annotation', note('x', '', 40));
    sock.fire('annotation', { ...note('a', 'p1', 10), campaign_id: 'c2' }); // another campaign's
    sock.fire('annotation_removed', { campaign_id: 'c1', id: 'x' });
    expect(views.at(-1)!.annotations.map((a) => a.id)).toEqual(['c', 'a']);
    const late = { source_id: 's1', name: 'Feed', last_event_at: null, expected_every_ms: 10_000, late: true };
    sock.fire('sources', { campaign_id: 'c1', sources: [late] });
    expect(views.at(-1)!.sources).toEqual([late]);
    sock.fire('sources', { campaign_id: 'c2', sources: [] });
    expect(views.at(-1)!.sources).toEqual([late]);
  });
});
