// Payout-report benchmark: the payouts of a period and the commissions by status of a campaign of 1,000 partners and
// 100,000 conversions (time and rows read), against a bare scan of the same rows in the same store and run.
import { spawnTs } from './lib/proc.js';
import { ratio } from './lib/stats.js';
import type { BenchContext, BenchResult } from './lib/types.js';

interface Timed {
  ms: number | null;
  rows_read: number;
}
interface Report {
  partners: number;
  conversions: number;
  rows_stored: number;
  seeded_ms: number;
  payouts: Timed;
  commissions: Timed;
  scan: Timed;
  due: number;
  below_minimum: number;
  total_due_minor: number;
  peak_rss_mb: number;
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const t0 = Date.now();
  ctx.log('1,000 partners × 100,000 conversions in one store; payouts and commissions by status, 5 rounds each');
  const c = spawnTs('payout-report', 'bench/targets/payoutReport.ts', {
    args: ['--partners', '1000', '--conversions', '100000'],
  });
  const r = await c.result<Report>(600_000);
  await c.stop();
  return {
    name: 'payouts',
    seconds: Math.round((Date.now() - t0) / 1000),
    figures: [
      {
        metric: `payout report of a period, ${r.partners.toLocaleString('en')} partners × ${r.conversions.toLocaleString('en')} conversions (median of 5)`,
        value: r.payouts.ms,
        unit: 'ms',
        baseline: { label: 'a bare GROUP BY partner scan of the same rows', value: r.scan.ms },
        ratio: ratio(r.payouts.ms, r.scan.ms),
      },
      {
        metric: 'payout report rows read (SelectedRows)',
        value: r.payouts.rows_read,
        unit: 'rows',
        baseline: { label: 'bare scan rows read', value: r.scan.rows_read },
        ratio: ratio(r.payouts.rows_read, r.scan.rows_read),
      },
      {
        metric: 'commissions by status of the campaign (what REST and the socket compute), median of 5',
        value: r.commissions.ms,
        unit: 'ms',
        baseline: { label: 'bare scan', value: r.scan.ms },
        ratio: ratio(r.commissions.ms, r.scan.ms),
      },
    ],
    memory: { 'report process': r.peak_rss_mb },
    notes: [
      `${r.rows_stored.toLocaleString('en')} money rows stored (conversions, a tenth pending then approved, a twentieth partly refunded, 1 in 250 charged back), seeded in ${r.seeded_ms} ms. Half the deals lock commission 14 days, a tenth have a 500.00 fee. The report: ${r.due} payouts due, ${r.below_minimum} below the minimum, ${(r.total_due_minor / 100).toLocaleString('en')} EUR due in all.`,
    ],
    raw: r as unknown as Record<string, unknown>,
  };
}
