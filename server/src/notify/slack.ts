// A Slack incoming-webhook message (Block Kit) for an outbound message: what happened, why, and a war room button.
import type { Alert } from '@pulseroom/schema';
import { countsByKind, KIND_LABELS, type MessageContext, type OutboundMessage } from './messages.js';

/** Slack reads &, < and > as markup: escaped, a partner's handle or a caption cannot forge a link or a mention. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const ICON: Record<Alert['severity'], string> = {
  info: ':large_blue_circle:',
  warning: ':warning:',
  critical: ':rotating_light:',
};
/** Slack refuses a section over 3,000 characters and a message over 50 blocks. */
const MAX_TEXT = 2900;
const MAX_LISTED = 10;

const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);

function alertLine(a: Alert, ctx: MessageContext): string {
  const who = a.partner_id ? ` — ${esc(ctx.partnerName(a.partner_id))}` : '';
  return `${ICON[a.severity]} *${KIND_LABELS[a.kind]}*${who}\n${esc(a.message)}`;
}

export function slackMessage(m: OutboundMessage, ctx: MessageContext): { text: string; blocks: unknown[] } {
  const campaign = esc(ctx.campaignName(m.campaign_id));
  const link = ctx.warRoomUrl(m.campaign_id);
  let headline: string;
  let body: string[];
  if (m.kind === 'test') {
    headline = `Test message from Pulseroom for ${campaign}`;
    body = ['This channel is set up: alerts of this campaign will arrive here.'];
  } else if (m.kind === 'summary') {
    headline = `${m.alerts.length} more alerts in ${campaign}: ${countsByKind(m.alerts)}`;
    const listed = m.alerts.slice(0, MAX_LISTED).map((a) => alertLine(a, ctx));
    const more = m.alerts.length - MAX_LISTED;
    body = more > 0 ? [...listed, `…and ${more} more in the war room.`] : listed;
  } else {
    const a = m.alerts[0];
    const who = a.partner_id ? ` — ${esc(ctx.partnerName(a.partner_id))}` : '';
    headline = `${KIND_LABELS[a.kind]} in ${campaign}${who}`;
    body = [alertLine(a, ctx)];
  }
  const when = new Date(m.alerts[0]?.ts ?? Date.now()).toISOString();
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: headline.slice(0, 150) } },
    ...body.map((t) => ({ type: 'section', text: { type: 'mrkdwn', text: clip(t) } })),
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Campaign ${campaign} · ${when}` }] },
  ];
  if (link) {
    const button = { type: 'button', text: { type: 'plain_text', text: 'Open the war room' }, url: link };
    blocks.push({ type: 'actions', elements: [button] });
  }
  // `text` is what notifications and screen readers show.
  return { text: headline, blocks };
}
