// A source's webhook signing secret, set through the admin API: sealed under the data key, never shown again, never in
// the audit log; the provider must be one ingest reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, findSourceWebhook, openSecret, type Store } from '@pulseroom/schema/server';
import { openTestStore } from '@pulseroom/schema/testing';
import { apiCall, startTestServer, type TestServer } from './testing/harness.js';

const DATA_KEY = 'test-data-key-for-sealed-secrets';
let store: Store;
let t: TestServer;
let admin = '';
let viewer = '';

beforeAll(async () => {
  store = await openTestStore();
  t = await startTestServer(store, { config: { PULSEROOM_SECRETS_KEY: DATA_KEY } });
  admin = (await createToken(store.client, { role: 'admin', label: 'shop setup' })).token;
  viewer = (await createToken(store.client, { role: 'viewer' })).token;
}, 60_000);
afterAll(async () => {
  await t?.close();
  await store?.close();
});

const call = (method: string, path: string, body?: unknown, token = admin) => apiCall(t, token, method, path, body);

describe("a source's webhook secret", () => {
  it("keeps the source's other settings: its cadence when the secret is set, its secret when it is revoked", async () => {
    const src = await call('POST', '/api/admin/sources', { name: 'shop with cadence', expected_every_s: 900 });
    await call('PUT', `/api/admin/sources/${src.body.id}/webhook`, {
      provider: 'stripe',
      secret: 'whsec_keepme_12345',
    });
    const row = async () =>
      (
        await (
          await store.client.query({
            query: 'SELECT expected_every_s, provider, revoked FROM sources FINAL WHERE id = {id:String}',
            query_params: { id: src.body.id },
            format: 'JSONEachRow',
          })
        ).json<{ expected_every_s: number; provider: string; revoked: number }>()
      )[0];
    expect(await row()).toEqual({ expected_every_s: 900, provider: 'stripe', revoked: 0 });
    expect((await call('DELETE', `/api/admin/sources/${src.body.id}`)).status).toBe(200);
    expect(await row()).toEqual({ expected_every_s: 900, provider: 'stripe', revoked: 1 });
  });

  it('is sealed under the data key, answered with the URL to paste, and shown nowhere', async () => {
    const src = await call('POST', '/api/admin/sources', { name: 'my shop' });
    const secret = 'shpss_0123456789abcdef0123456789abcdef';
    const set = await call('PUT', `/api/admin/sources/${src.body.id}/webhook`, { provider: 'shopify', secret });
    expect(set).toMatchObject({
      status: 200,
      body: { id: src.body.id, provider: 'shopify', url: `/v1/webhooks/shopify/${src.body.id}` },
    });
    const row = await findSourceWebhook(store.client, src.body.id);
    expect(row).toMatchObject({ provider: 'shopify', name: 'my shop' });
    expect(row!.webhook_secret).not.toContain(secret);
    expect(openSecret(DATA_KEY, row!.webhook_secret)).toBe(secret);
    const everything = JSON.stringify([
      (await call('GET', '/api/admin/sources')).body,
      (await call('GET', '/api/admin/audit?limit=1000')).body,
    ]);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(row!.webhook_secret);
    // rotating: paste the new one
    await call('PUT', `/api/admin/sources/${src.body.id}/webhook`, {
      provider: 'shopify',
      secret: 'shpss_rotated_secret_value',
    });
    expect(openSecret(DATA_KEY, (await findSourceWebhook(store.client, src.body.id))!.webhook_secret)).toBe(
      'shpss_rotated_secret_value',
    );
  });

  it("names a bad provider or secret, 404s an unknown source, and is an admin's only", async () => {
    const bad = await call('PUT', '/api/admin/sources/anything/webhook', { provider: 'paypal', secret: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(
      /provider: expected one of shopify, stripe; secret: expected the whole signing secret/,
    );
    expect(
      (
        await call('PUT', '/api/admin/sources/no-such-source/webhook', {
          provider: 'stripe',
          secret: 'whsec_0123456789',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(
          'PUT',
          '/api/admin/sources/no-such-source/webhook',
          { provider: 'stripe', secret: 'whsec_0123456789' },
          viewer,
        )
      ).status,
    ).toBe(403);
  });
});
