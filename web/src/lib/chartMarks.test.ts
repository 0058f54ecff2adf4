import { describe, expect, it } from 'vitest';
import type { Alert, Annotation, PartnerInfo, PostItem } from './contract';
import { capped, chartMarks, clusterMarks, marksInRange } from './chartMarks';
import { ALERT_KIND } from './labels';

const post = (event_id: string, ts: number, content_id = 'v1'): PostItem => ({
  event_id,
  ts,
  partner_id: 'ana',
  platform: 'instagram',
  content_id,
  url: 'https://example.com',
  caption: 'New drop #ad',
  disclosure: 'clear',
});
const alert = (id: string, ts: number, message: string): Alert => ({
  id,
  campaign_id: 'c',
  partner_id: 'ana',
  kind: 'engagement_spike',
  severity: 'warning',
  message,
  ts,
  acknowledged: false,
});
const note = (id: string, ts: number, text: string, partner_id = ''): Annotation => ({
  id,
  campaign_id: 'c',
  partner_id,
  ts,
  text,
  author: 'Ops desk',
});
const partners = new Map([['ana', { id: 'ana', handle: '@ana', display_name: 'Ana' } as PartnerInfo]]);

describe('chartMarks', () => {
  it('makes one mark per post (where it first appeared), alert (its why as detail) and note, newest first', () => {
    const marks = chartMarks({
      posts: [post('p2', 5_000), post('p1', 1_000), post('p3', 3_000, 'v2')],
      alerts: [alert('a1', 4_000, "@ana's engagement is 4.0× her usual")],
      notes: [note('n1', 2_000, 'Ana live on stage', 'ana'), note('n2', 6_000, 'Doors open')],
      partners,
    });
    expect(marks.map((m) => m.key)).toEqual(['note:n2', 'alert:a1', 'post:p3', 'note:n1', 'post:p1']);
    expect(marks[1]).toMatchObject({
      kind: 'alert',
      title: ALERT_KIND.engagement_spike,
      detail: "@ana's engagement is 4.0× her usual",
      severity: 'warning',
    });
    expect(marks[2]).toMatchObject({ title: '@ana posted on Instagram', detail: 'New drop #ad' });
    expect(marks[3]).toMatchObject({ title: 'Ana live on stage', detail: 'Note by Ops desk about @ana', noteId: 'n1' });
    expect(marks[0].detail).toBe('Note by Ops desk');
  });

  it('keeps the marks of the chart range, its last bucket included', () => {
    const marks = chartMarks({ notes: [note('a', 99_999, 'a'), note('b', 100_000, 'b'), note('c', 130_000, 'c')] });
    expect(marksInRange(marks, 100_000, 120_000).map((m) => m.title)).toEqual(['b']);
    expect(marksInRange(marks, 100_000, 130_000).map((m) => m.title)).toEqual(['c', 'b']);
  });
});

describe('clusterMarks', () => {
  it('groups marks closer than the gap, shows an alert over a note over a post, and leaves out what is off the chart', () => {
    const marks = chartMarks({
      posts: [post('p', 0)],
      alerts: [alert('a', 10, 'why')],
      notes: [note('n', 20, 'x'), note('far', 100, 'y'), note('off', -5, 'z')],
    });
    const xOf = (ts: number) => (ts < 0 ? null : ts);
    const clusters = clusterMarks(marks, xOf, 30);
    expect(clusters.map((c) => [c.x, c.kind, c.marks.map((m) => m.key)])).toEqual([
      [20, 'alert', ['note:n', 'alert:a', 'post:p']],
      [100, 'note', ['note:far']],
    ]);
    // A long run of close marks does not chain into one cluster across the whole chart.
    const run = chartMarks({ notes: Array.from({ length: 10 }, (_, i) => note(`r${i}`, i * 10, `r${i}`)) });
    expect(clusterMarks(run, (ts) => ts, 30).map((c) => c.marks.length)).toEqual([3, 3, 3, 1]);
  });

  it('caps a list with how many more there are', () => {
    expect(capped([1, 2, 3, 4, 5], 3)).toEqual({ shown: [1, 2, 3], more: 2 });
    expect(capped([1], 3)).toEqual({ shown: [1], more: 0 });
  });
});
