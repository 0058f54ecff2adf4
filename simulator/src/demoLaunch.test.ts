import { describe, expect, it } from 'vitest';
import { dimensionFile, PARTNER_TYPES, TIERS, tierOf } from '@pulseroom/schema';
import { demoLaunch, HEADLINE_CAMPAIGN_ID, LAUNCH_LEAD_MS, MANAGERS } from './demoLaunch.js';

const NOW = Date.parse('2026-11-25T10:00:00Z');

describe('demoLaunch', () => {
  it('never gives two partners the same name on screen', () => {
    for (const seed of [1, 7, 42, 99, 2026]) {
      const names = (demoLaunch({ seed, now: Date.UTC(2026, 10, 25) }).partners ?? []).map((p) => p.display_name);
      expect(names.length).toBeGreaterThan(90);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('is the same launch for the same seed and another for another seed', () => {
    expect(demoLaunch({ now: NOW, seed: 42 })).toEqual(demoLaunch({ now: NOW, seed: 42 }));
    expect(demoLaunch({ now: NOW, seed: 43 })).not.toEqual(demoLaunch({ now: NOW, seed: 42 }));
  });

  it.each([1, 2, 7, 42, 99, 2024, 123456, 4294967295])(
    'passes the dimensionFile schema with every type and tier (seed %i)',
    (seed) => {
      const parsed = dimensionFile.safeParse(demoLaunch({ now: NOW, seed }));
      expect(parsed.success ? [] : parsed.error.issues.slice(0, 3)).toEqual([]);
      const f = parsed.data!;
      expect(f.partners.length).toBeGreaterThanOrEqual(80);
      expect(f.partners.length).toBeLessThanOrEqual(150);
      const types = new Set(f.partners.map((p) => p.type));
      for (const t of PARTNER_TYPES) expect(types).toContain(t);
      const tiers = f.partners.map((p) => tierOf(p.followers));
      for (const t of TIERS) expect(tiers).toContain(t);
      // Heavy tail: many small, a few big, 2–4 megas.
      const mega = tiers.filter((t) => t === 'mega').length;
      expect(mega).toBeGreaterThanOrEqual(2);
      expect(mega).toBeLessThanOrEqual(4);
      expect(tiers.filter((t) => t === 'nano' || t === 'micro').length).toBeGreaterThan(f.partners.length * 0.7);
      expect(new Set(f.partners.map((p) => p.manager_id))).toEqual(new Set(MANAGERS));
      expect(new Set(f.partners.flatMap((p) => p.platforms)).size).toBeGreaterThanOrEqual(6);
    },
  );

  it('has a headline launch starting minutes ago for 30 days, with goals, and smaller campaigns beside it', () => {
    const f = dimensionFile.parse(demoLaunch({ now: NOW, seed: 42 }));
    const [head, ...others] = f.campaigns;
    expect(head.id).toBe(HEADLINE_CAMPAIGN_ID);
    expect(head.start).toBe(NOW - LAUNCH_LEAD_MS);
    expect(head.end).toBe(NOW + 30 * 24 * 3600_000);
    expect(['EUR', 'USD']).toContain(head.currency);
    expect(head.budget).toBeGreaterThan(0);
    expect(head.goals.revenue).toBeGreaterThan(head.budget);
    expect(head.goals.clicks).toBeGreaterThan(0);
    expect(head.goals.er).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThanOrEqual(1);
    expect(others.length).toBeLessThanOrEqual(2);
    expect(f.deals.filter((d) => d.campaign_id === head.id).length).toBeGreaterThan(f.partners.length * 0.7);
  });

  it('gives deals fees, commissions, https links and promo codes by partner type', () => {
    const f = dimensionFile.parse(demoLaunch({ now: NOW, seed: 42 }));
    const typeOf = new Map(f.partners.map((p) => [p.id, p.type]));
    const deals = f.deals.filter((d) => d.campaign_id === HEADLINE_CAMPAIGN_ID);
    for (const d of deals) {
      expect(d.links.length).toBeGreaterThan(0);
      for (const l of d.links) expect(l.destination).toMatch(/^https:\/\//);
      if (typeOf.get(d.partner_id) === 'affiliate') {
        expect(d.fixed_fee).toBe(0);
        expect(d.commission_percent + d.commission_flat).toBeGreaterThan(0);
      }
      if (typeOf.get(d.partner_id) === 'influencer') expect(d.fixed_fee).toBeGreaterThan(0);
    }
    expect(deals.some((d) => d.commission_tiers.length > 0)).toBe(true);
    expect(deals.some((d) => d.commission_flat > 0)).toBe(true);
    expect(deals.filter((d) => d.promo_codes.length > 0).length).toBeGreaterThan(deals.length / 2);
    // Multilingual names.
    expect(f.partners.some((p) => /[^\x00-\x7F]/.test(p.display_name))).toBe(true);
    expect(f.partners.some((p) => /[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]/.test(p.display_name))).toBe(true);
  });
});
