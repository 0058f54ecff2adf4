// ANNOTATIONS: notes on the charts — who may add, list and remove them (admin and the campaign's viewers anything of
// it, a manager their partners, a wall nothing), bad input named by field, and every change on the sockets of the
// campaign that may see it, in the snapshot and as an event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation } from '@pulseroom/schema';
import { createToken, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import {
  once,
  onceSnapshot,
  seedWorld,
  startTestServer,
  testClock,
  waitFor,
  type TestServer,
  type TestSocket,
} from './testing/harness.js';
import { NOW, testWorld } from './testing/world.js';

const clock = testClock(NOW);
let store: Store;
let t: TestServer;
const token = { admin: '', viewer: '', viewer2: '', manager: '', managerB: '', wall: '' };
type Who = keyof typeof token;

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  t = await startTestServer(store, { clock: clock.now });
  token.admin = (await createToken(store.client, { role: 'admin', label: 'Ops desk' })).token;
  token.viewer = (await createToken(store.client, { role: 'viewer', campaign_ids: ['c1'] })).token;
  token.viewer2 = (await createToken(store.client, { role: 'viewer', campaign_ids: ['c2'] })).token;
  token.manager = (await createToken(store.client, { role: 'manager', manager_id: 'am-a', label: 'Ana' })).token;
  token.managerB = (await createToken(store.client, { role: 'manager', manager_id: 'am-b' })).token;
  token.wall = (await createToken(store.client, { role: 'wall', campaign_ids: ['c1'] })).token;
}, 60_000);
afterAll(async () => {
  await t?.close();
  await store?.close();
});

async function call(who: Who, method: string, path: string, body?: unknown) {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token[who]}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: JSON.parse(await res.text()) };
}
const add = (who: Who, body: unknown, campaign = 'c1') =>
  call(who, 'POST', `/api/campaigns/${campaign}/annotations`, body);
const list = async (who: Who, query = '') =>
  (await call(who, 'GET', `/api/campaigns/c1/annotations${query}`)).body as Annotation[];

/** A socket subscribed to c1 (optionally one partner's view), recording the notes pushed to it. */
async function watch(who: Who, partnerId?: string) {
  const s: TestSocket = t.connect(token[who]);
  const snap = onceSnapshot(s);
  s.emit('subscribe', { campaign_id: 'c1', window: '5m', ...(partnerId ? { partner_id: partnerId } : {}) });
  const snapshot = await snap;
  const added: Annotation[] = [];
  const removed: string[] = [];
  s.on('annotation', (a) => added.push(a));
  s.on('annotation_removed', (r) => removed.push(r.id));
  return { s, snapshot, added, removed };
}

describe('adding a note', () => {
  it('pushes a campaign-wide note to every socket of the campaign, managers too, and puts it in snapshots', async () => {
    const viewer = await watch('viewer');
    const manager = await watch('manager');
    const wall = await watch('wall');
    const r = await add('admin', { text: '  Creator  X went live\non stage  ' });
    expect(r.status).toBe(201);
    const note = r.body as Annotation;
    expect(note).toMatchObject({ campaign_id: 'c1', partner_id: '', ts: NOW, text: 'Creator X went live on stage' });
    expect(note.author).toBe('Ops desk');
    for (const w of [viewer, manager, wall]) await waitFor(() => w.added.some((a) => a.id === note.id), 5_000, 'push');
    const later = await watch('wall');
    expect(later.snapshot.annotations.map((a) => a.id)).toContain(note.id);
  });

  it("lets a manager note their own partners only, and sends a partner's note only to views that show it", async () => {
    const managerB = await watch('managerB');
    const partnerPage = await watch('admin', 'pa2');
    const viewer = await watch('viewer');
    const none = await add('manager', { text: 'No partner named' });
    expect(none.status).toBe(400);
    expect(none.body.error.fields[0].path).toBe('partner_id');
    const notMine = await add('manager', { text: 'Not mine', partner_id: 'pb1' });
    expect(notMine.status).toBe(400);
    expect(notMine.body.error.fields[0].path).toBe('partner_id');
    const unknown = await add('viewer', { text: 'Nobody', partner_id: 'zz-nope' });
    expect(unknown.body.error.fields).toEqual([
      { path: 'partner_id', message: `expected the id of a partner of campaign "c1" in this token's scope` },
    ]);
    const r = await add('manager', { text: '@pa1 is live on stage', partner_id: 'pa1' });
    expect(r.status).toBe(201);
    const note = r.body as Annotation;
    expect(note).toMatchObject({ partner_id: 'pa1', author: 'Ana' });
    await waitFor(() => viewer.added.some((a) => a.id === note.id), 5_000, 'the viewer gets it');
    // An admin's page of pa2 sits in the campaign's room and gets it on its socket (the web app keeps only its
    // partner's and campaign-wide notes); a snapshot of that view does not carry it; manager B never sees it.
    const fresh = await watch('admin', 'pa2');
    expect(fresh.snapshot.annotations.map((a) => a.id)).not.toContain(note.id);
    const pa1Page = await watch('admin', 'pa1');
    expect(pa1Page.snapshot.annotations.map((a) => a.id)).toContain(note.id);
    expect(pa1Page.snapshot.annotations.some((a) => a.partner_id === '')).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(managerB.added.map((a) => a.id)).not.toContain(note.id);
    expect(partnerPage.added.map((a) => a.id)).toContain(note.id);
  });

  it('refuses a wall, a campaign outside the scope, and names each bad field', async () => {
    expect((await add('wall', { text: 'hi' })).status).toBe(403);
    expect((await add('viewer2', { text: 'hi' })).status).toBe(404);
    expect((await add('viewer', { text: 'hi' }, 'zz-nope')).status).toBe(404);
    const cases: [unknown, string, RegExp][] = [
      [{}, 'text', /string/],
      [{ text: '   ' }, 'text', /text/],
      [{ text: 'x'.repeat(281) }, 'text', /at most 280 characters/],
      [{ text: 42 }, 'text', /string/],
      [{ text: 'ok', ts: 'yesterday' }, 'ts', /ISO-8601/],
      [{ text: 'ok', ts: NOW + 3_600_000 }, 'ts', /no later than 5 minutes/],
      [{ text: 'ok', partner_id: '../x' }, 'partner_id', /id of/],
      [{ text: 'bell \u0007' }, 'text', /control characters/],
    ];
    for (const [body, path, message] of cases) {
      const r = await add('viewer', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.fields[0].path, JSON.stringify(body)).toBe(path);
      expect(r.body.error.fields[0].message, JSON.stringify(body)).toMatch(message);
    }
    // 280 characters, counted as characters (an emoji is one), and markup kept as the text it is.
    const emoji = await add('viewer', { text: '🎤'.repeat(280) });
    expect(emoji.status).toBe(201);
    const markup = await add('viewer', { text: '<img src=x onerror=alert(1)>', ts: NOW - 60_000 });
    expect(markup.body.text).toBe('<img src=x onerror=alert(1)>');
  });
});

describe('listing and removing notes', () => {
  it("lists a scope's notes newest first: a manager theirs and the campaign-wide ones; a wall reads them", async () => {
    const all = await list('viewer');
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(all.map((a) => a.ts)).toEqual([...all.map((a) => a.ts)].sort((a, b) => b - a));
    const mine = await list('manager');
    expect(mine.every((a) => a.partner_id === '' || a.partner_id.startsWith('pa'))).toBe(true);
    const b = await list('managerB');
    expect(b.some((a) => a.partner_id === 'pa1')).toBe(false);
    expect(b.some((a) => a.partner_id === '')).toBe(true);
    expect((await list('wall')).length).toBe(all.length);
    const pa1 = await list('viewer', '?partner_id=pa1');
    expect(pa1.every((a) => a.partner_id === 'pa1' || a.partner_id === '')).toBe(true);
    expect((await list('viewer', `?from=${NOW - 30_000}`)).every((a) => a.ts >= NOW - 30_000)).toBe(true);
    const bad = await call('viewer', 'GET', '/api/campaigns/c1/annotations?from=soon');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('from');
    expect((await call('viewer2', 'GET', '/api/campaigns/c1/annotations')).status).toBe(404);
  });

  it('removes a note for whoever may add it, and tells every socket that held it', async () => {
    const viewer = await watch('viewer');
    const wide = (await add('viewer', { text: 'Stage show starts' })).body as Annotation;
    const theirs = (await add('viewer', { text: 'pa3 backstage', partner_id: 'pa3' })).body as Annotation;
    expect((await call('wall', 'DELETE', `/api/annotations/${wide.id}`)).status).toBe(403);
    expect((await call('manager', 'DELETE', `/api/annotations/${wide.id}`)).status).toBe(403);
    expect((await call('managerB', 'DELETE', `/api/annotations/${theirs.id}`)).status).toBe(404);
    expect((await call('viewer2', 'DELETE', `/api/annotations/${wide.id}`)).status).toBe(404);
    expect((await call('manager', 'DELETE', `/api/annotations/${theirs.id}`)).status).toBe(200);
    expect((await call('viewer', 'DELETE', `/api/annotations/${wide.id}`)).status).toBe(200);
    expect((await call('viewer', 'DELETE', `/api/annotations/${wide.id}`)).status).toBe(404);
    await waitFor(() => viewer.removed.includes(wide.id) && viewer.removed.includes(theirs.id), 5_000, 'removals');
    const ids = (await list('admin')).map((a) => a.id);
    expect(ids).not.toContain(wide.id);
    expect(ids).not.toContain(theirs.id);
    const later = await watch('viewer');
    expect(later.snapshot.annotations.map((a) => a.id)).not.toContain(wide.id);
  });

  it('keeps notes across a restart of the server (they are in the store)', async () => {
    const kept = (await add('admin', { text: 'Survives a restart' })).body as Annotation;
    await t.close();
    t = await startTestServer(store, { clock: clock.now });
    const w = await watch('wall');
    expect(w.snapshot.annotations.map((a) => a.text)).toContain(kept.text);
    const again = once<Annotation>(w.s, 'annotation');
    await add('admin', { text: 'After the restart' });
    expect((await again).text).toBe('After the restart');
  });
});
