// ADMIN API: campaigns, partners and deals listed by pages (10,000 partners), read, deleted (not while deals use
// them); goals out of scale questioned; share links that expire (REST refused, open sockets dropped) and record
// their last use; every change in the audit log with the admin token's label.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, upsertPartners, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { once, seedWorld, startTestServer, testClock, type TestServer } from './testing/harness.js';
import { NOW, testWorld } from './testing/world.js';

const clock = testClock(NOW);
let store: Store;
let t: TestServer;
let admin = '';
let viewer = '';

beforeAll(async () => {
  store = await openTestStore();
  await seedWorld(store, testWorld());
  // 10,000 partners, as a large affiliate programme has: the console pages through them.
  const many = Array.from({ length: 10_000 }, (_, i) => ({
    id: `bulk-${String(i).padStart(5, '0')}`,
    handle: `@bulk${i}`,
    display_name: `Bulk ${i}`,
    platforms: ['instagram'],
    followers: 1000 + i,
    type: 'affiliate',
    manager_id: i % 2 ? 'am-odd' : 'am-even',
  }));
  await upsertPartners(store.client, many as never);
  t = await startTestServer(store, { clock: clock.now });
  admin = (await createToken(store.client, { role: 'admin', label: 'Setup admin (Ines)' })).token;
  viewer = (await createToken(store.client, { role: 'viewer', campaign_ids: ['c1'] })).token;
}, 90_000);
afterAll(async () => {
  await t?.close();
  await store?.close();
});

const call = async (method: string, path: string, body?: unknown, token = admin) => {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) };
};

describe('dimensions', () => {
  it('lists 10,000 partners by pages, each id once, in id order; filters by text and manager', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const r = await call('GET', `/api/admin/partners?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(10_000 + testWorld().partners.length);
      seen.push(...r.body.items.map((p: { id: string }) => p.id));
      cursor = r.body.next_cursor;
      pages++;
    }
    expect(pages).toBe(11);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    expect(seen.length).toBe(10_000 + testWorld().partners.length);
    const found = await call('GET', '/api/admin/partners?q=Bulk%209999');
    expect(found.body.items.map((p: { id: string }) => p.id)).toEqual(['bulk-09999']);
    const odd = await call('GET', '/api/admin/partners?manager_id=am-odd&limit=1000');
    expect(odd.body.total).toBe(5_000);
  });

  it('names the bad parameter of a list', async () => {
    for (const [q, field] of [
      ['limit=0', 'limit'],
      ['limit=5000', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=%3Cb%3E', 'cursor'],
    ]) {
      const r = await call('GET', `/api/admin/partners?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.message, q).toContain(`${field}:`);
    }
  });

  it('gets one, and deletes only what no deal uses', async () => {
    expect((await call('GET', '/api/admin/campaigns/c2')).body).toMatchObject({
      id: 'c2',
      name: 'Other',
      timezone: 'UTC',
    });
    expect((await call('GET', '/api/admin/deals/c2--pb1')).body).toMatchObject({
      partner_id: 'pb1',
      attribution_window_days: 30,
    });
    expect((await call('GET', '/api/admin/partners/nope')).status).toBe(404);
    const inUse = await call('DELETE', '/api/admin/campaigns/c2');
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.message).toContain('c2--pb1');
    expect((await call('DELETE', '/api/admin/deals/c2--pb1')).body).toEqual({ id: 'c2--pb1', deleted: true });
    expect((await call('DELETE', '/api/admin/campaigns/c2')).body).toEqual({ id: 'c2', deleted: true });
    expect((await call('GET', '/api/admin/campaigns/c2')).status).toBe(404);
    expect((await call('GET', '/api/admin/campaigns')).body.items.map((c: { id: string }) => c.id)).toEqual(['c1']);
    expect((await call('GET', '/api/campaigns/c2/summary')).status).toBe(404);
    expect((await call('DELETE', '/api/admin/campaigns/c2')).status).toBe(404);
  });

  it('questions goals out of scale (422 naming each) and takes them when confirmed', async () => {
    const doc = {
      name: 'Goals',
      brand: 'B',
      start: '2026-01-01T00:00:00Z',
      end: '2027-01-01T00:00:00Z',
      currency: 'EUR',
      budget: 1000,
      goals: { revenue: 0, clicks: 500, er: 0.03 },
    };
    const asked = await call('PUT', '/api/admin/campaigns/goals-test', doc);
    expect(asked.status).toBe(422);
    expect(asked.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['goals.revenue', 'goals.er']);
    expect((await call('GET', '/api/admin/campaigns/goals-test')).status).toBe(404);
    const absurd = await call('PUT', '/api/admin/campaigns/goals-test', {
      ...doc,
      goals: { revenue: 7_900_000, er: 40 },
    });
    expect(absurd.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['goals.er', 'goals.revenue']);
    expect((await call('PUT', '/api/admin/campaigns/goals-test?confirm=goals', doc)).body).toEqual({
      id: 'goals-test',
      ok: true,
      created: true,
    });
    const paused = await call('PUT', '/api/admin/campaigns/goals-test', { ...doc, goals: {}, status: 'paused' });
    expect(paused.body.error.message).toContain('status: expected one of draft, live, ended');
    expect((await call('PUT', '/api/admin/campaigns/goals-test', { ...doc, goals: {}, status: 'draft' })).body.ok).toBe(
      true,
    );
    expect((await call('GET', '/api/admin/campaigns/goals-test')).body.status).toBe('draft');
    expect((await call('PUT', '/api/admin/campaigns/goals-test', { ...doc, goals: { revenue: 50_000 } })).body).toEqual(
      { id: 'goals-test', ok: true, created: false },
    );
  });
});

describe('share links', () => {
  it('refuses an expiry in the past, naming expires_at', async () => {
    const r = await call('POST', '/api/admin/tokens', {
      role: 'wall',
      campaign_ids: ['c1'],
      expires_at: '2020-01-01T00:00:00Z',
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain('expires_at');
  });

  it('a link works until it expires; then REST refuses it and its open socket is dropped; its last use is listed', async () => {
    const expiresAt = Date.now() + 2_500;
    const made = await call('POST', '/api/admin/tokens', {
      role: 'wall',
      campaign_ids: ['c1'],
      label: 'Lobby TV',
      expires_at: new Date(expiresAt).toISOString(),
    });
    expect(made.status).toBe(201);
    expect((await call('GET', '/api/me', undefined, made.body.token)).status).toBe(200);
    const s = t.connect(made.body.token);
    await once(s, 'connect');
    const dropped = once(s, 'disconnect', 6_000);
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now() + 50)));
    expect((await call('GET', '/api/me', undefined, made.body.token)).status).toBe(401);
    await dropped;
    await t.server.flushTokenUsage();
    const listed = (await call('GET', '/api/admin/tokens')).body.find((x: { id: string }) => x.id === made.body.id);
    expect(listed).toMatchObject({ label: 'Lobby TV', role: 'wall', expires_at: expiresAt, revoked: false });
    expect(Date.parse(`${listed.last_used_at}Z`)).toBeGreaterThan(expiresAt - 5_000);
    expect(listed.token_hash).toBeUndefined();
  });
});

describe('audit log', () => {
  it('holds who changed what, newest first, by pages; never a secret', async () => {
    await call('PUT', '/api/admin/partners/audited', {
      handle: '@aud',
      display_name: 'Audited',
      platforms: ['tiktok'],
      followers: 10,
      type: 'influencer',
    });
    await call('PUT', '/api/admin/partners/audited', {
      handle: '@aud',
      display_name: 'Audited 2',
      platforms: ['tiktok'],
      followers: 10,
      type: 'influencer',
    });
    const src = await call('POST', '/api/admin/sources', { name: 'shop' });
    expect(
      (await call('GET', '/api/admin/sources')).body.find((x: { id: string }) => x.id === src.body.id),
    ).toMatchObject({ name: 'shop', revoked: false, last_event_at: null });
    const at = Date.now() - 5_000;
    await store.client.insert({
      table: 'events',
      format: 'JSONEachRow',
      values: [
        {
          event_id: 'seen-1',
          source_id: src.body.id,
          batch_id: 'b-seen',
          type: 'engagement',
          ts: at,
          received_at: at,
          campaign_id: 'c1',
        },
      ],
    });
    expect(
      (await call('GET', '/api/admin/sources')).body.find((x: { id: string }) => x.id === src.body.id).last_event_at,
    ).toBe(at);
    const r = await call('GET', '/api/admin/audit?limit=3');
    expect(
      r.body.entries.map(
        (e: { action: string; kind: string; target_id: string }) => `${e.action} ${e.kind} ${e.target_id}`,
      ),
    ).toEqual([`create source ${src.body.id}`, 'update partner audited', 'create partner audited']);
    expect(r.body.entries[0].token_label).toBe('Setup admin (Ines)');
    expect(JSON.parse(r.body.entries[1].detail)).toMatchObject({ display_name: 'Audited 2' });
    const all = await call('GET', '/api/admin/audit?limit=1000');
    expect(JSON.stringify(all.body)).not.toContain(src.body.key);
    expect(all.body.entries.map((e: { kind: string; action: string }) => `${e.action} ${e.kind}`)).toEqual(
      expect.arrayContaining(['delete deal', 'delete campaign', 'create token']),
    );
    const byKind = await call('GET', '/api/admin/audit?kind=partner&target_id=audited');
    expect(byKind.body.entries).toHaveLength(2);
    expect((await call('GET', '/api/admin/audit?kind=nope')).body.error.message).toContain('kind:');
    expect((await call('GET', '/api/admin/audit', undefined, viewer)).status).toBe(403);
  });
});

describe('partner CSV', () => {
  const post = async (csv: string, confirm?: boolean) => {
    const res = await fetch(`${t.url}/api/admin/partners/import${confirm === undefined ? '' : `?confirm=${confirm}`}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
      body: csv,
    });
    return { status: res.status, body: await res.json() };
  };
  const header = 'id,handle,display_name,type,platforms,followers,manager_id,accounts';

  it('previews the sample file, row by row, writing nothing', async () => {
    const sample = await fetch(`${t.url}/api/admin/partners/import`, { headers: { authorization: `Bearer ${admin}` } });
    expect(sample.headers.get('content-type')).toContain('text/csv');
    const plan = await post(await sample.text());
    expect(plan.status).toBe(200);
    expect(plan.body.summary).toEqual({ create: 3, update: 0, unchanged: 0, errors: 0 });
    expect(plan.body.rows.map((r: { id: string }) => r.id)).toEqual(['maya-glow', 'dealfinder', 'leo-runs']);
    expect(plan.body.rows[2].partner.display_name).toBe('Leo Martins, runner');
    expect((await call('GET', '/api/admin/partners/maya-glow')).status).toBe(404);
  });

  it('names each bad row by row and column, imports nothing until the file is right, then updates instead of duplicating', async () => {
    const bad = [
      header,
      'csv-ana,@csvana,Ana Lima,influencer,instagram|tiktok,"48,200",am-x,instagram:@csvana:36100|tiktok:@ana.tok:12100',
      'csv-ben,@csvben,Ben,celebrity,instagram,lots,,',
      ',@csvcara,Cara,affiliate,blog,900,,',
    ].join('\n');
    const plan = await post(bad);
    expect(plan.body.errors).toEqual([
      { row: 2, column: 'type', message: expect.stringContaining('expected one of') },
      { row: 2, column: 'followers', message: expect.stringContaining('expected') },
    ]);
    expect(plan.body.summary).toEqual({ create: 2, update: 0, unchanged: 0, errors: 1 });
    const refused = await post(bad, true);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('row 2.type');
    expect((await call('GET', '/api/admin/partners/csv-ana')).status).toBe(404);
    const fixed = bad.replace('celebrity,instagram,lots', 'influencer,instagram,3100');
    const done = await post(fixed, true);
    expect(done.body).toMatchObject({ imported: 3, summary: { create: 3, errors: 0 } });
    expect((await call('GET', '/api/admin/partners/csv-ana')).body).toMatchObject({
      followers: 48_200,
      platforms: ['instagram', 'tiktok'],
      manager_id: 'am-x',
      accounts: [
        { platform: 'instagram', handle: '@csvana', followers: 36_100 },
        { platform: 'tiktok', handle: '@ana.tok', followers: 12_100 },
      ],
    });
    expect((await call('GET', '/api/admin/partners/csvcara')).body).toMatchObject({ handle: '@csvcara' });
    // Again: nothing changes. Cara's row has no id: she is found by her handle, not created twice.
    expect((await post(fixed, true)).body).toMatchObject({ imported: 0, summary: { unchanged: 3 } });
    const moved = await post(
      fixed.replace(',@csvcara,Cara,affiliate,blog,900,,', ',@CSVCara,Cara,affiliate,blog,950,,'),
      true,
    );
    expect(moved.body).toMatchObject({ imported: 1, summary: { update: 1, unchanged: 2 } });
    expect((await call('GET', '/api/admin/partners/csvcara')).body.followers).toBe(950);
    const audit = await call('GET', '/api/admin/audit?kind=partner&limit=1');
    expect(audit.body.entries[0]).toMatchObject({ action: 'import', target_id: '1 partners' });
  });

  it('refuses a header without a required column, an unknown column, a repeated id, and a body that is not CSV', async () => {
    const noType = await post('id,handle,display_name,platforms,followers\nx,@x,X,instagram,1');
    expect(noType.status).toBe(400);
    expect(noType.body.error.message).toContain('header lacks the column type');
    const unknown = await post(`${header},shoe_size\nx,@x,X,influencer,instagram,1,,42`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('shoe_size');
    const twice = await post(
      [header, 'dup,@dup1,D,influencer,instagram,1,,', 'dup,@dup2,D,influencer,instagram,1,,'].join('\n'),
    );
    expect(twice.body.errors).toEqual([{ row: 2, column: 'id', message: '"dup" is also row 1' }]);
    const account = await post([header, 'acc,@acc,A,influencer,instagram,1,,tiktok:@acc:5'].join('\n'));
    expect(account.body.errors).toEqual([
      {
        row: 1,
        column: 'accounts',
        message: "accounts[0].platform: tiktok is not one of the partner's platforms (instagram)",
      },
    ]);
    const json = await call('POST', '/api/admin/partners/import', { handle: '@x' });
    expect(json.status).toBe(415);
  });

  it("exports the list in the import's columns, and the export imports back unchanged", async () => {
    const res = await fetch(`${t.url}/api/admin/partners.csv`, { headers: { authorization: `Bearer ${admin}` } });
    const csv = await res.text();
    expect(csv.split('\n')[0]).toBe(
      '"id","handle","display_name","type","platforms","followers","manager_id","accounts"',
    );
    expect(csv).toContain(
      '"csv-ana","@csvana","Ana Lima","influencer","instagram|tiktok",48200,"am-x","instagram:@csvana:36100|tiktok:@ana.tok:12100"',
    );
    const back = await post(csv);
    expect(back.body.summary).toMatchObject({ create: 0, update: 0, errors: 0 });
    expect(back.body.summary.unchanged).toBeGreaterThan(10_000);
  });
});
