import { describe, expect, it } from 'vitest';
import type { Alert } from './contract';
import { alertMarks } from './alertMarks';
import { ALERT_KIND } from './labels';

const alert = (ts: number, message: string): Alert => ({
  id: message,
  campaign_id: 'c',
  partner_id: 'p',
  kind: 'engagement_spike',
  severity: 'info',
  message,
  ts,
  acknowledged: false,
});

describe('alertMarks', () => {
  it('puts each alert in its 10 s bucket with its why; alerts outside the chart are left out', () => {
    const starts = [100_000, 110_000, 120_000];
    const alerts = [alert(95_000, 'before'), alert(111_000, 'spike'), alert(119_999, 'second'), alert(130_000, 'x')];
    const marks = alertMarks(alerts, starts);
    expect([...marks.keys()]).toEqual([1]);
    expect(marks.get(1)).toEqual([`${ALERT_KIND.engagement_spike}: spike`, `${ALERT_KIND.engagement_spike}: second`]);
  });
});
