// A signed webhook (the Standard Webhooks convention, with its reference library): the JSON body and the headers
// webhook-id, webhook-timestamp and webhook-signature (v1,<base64 HMAC-SHA256 of id.timestamp.body>).
import { Webhook } from 'standardwebhooks';
import { KIND_LABELS, type MessageContext, type OutboundMessage } from './messages.js';

const TYPES = { alert: 'alert.raised', summary: 'alert.summary', test: 'test' } as const;

/** The body: `{ type, timestamp, data }` as Standard Webhooks recommends; each alert carries its why and names. */
export function webhookBody(m: OutboundMessage, ctx: MessageContext, nowMs: number): string {
  return JSON.stringify({
    type: TYPES[m.kind],
    timestamp: new Date(nowMs).toISOString(),
    data: {
      campaign_id: m.campaign_id,
      campaign_name: ctx.campaignName(m.campaign_id),
      war_room_url: ctx.warRoomUrl(m.campaign_id),
      alerts: m.alerts.map((a) => ({
        ...a,
        title: KIND_LABELS[a.kind],
        partner_name: a.partner_id ? ctx.partnerName(a.partner_id) : null,
      })),
    },
  });
}

/** The headers of one attempt: signed at send time (receivers reject old timestamps), the id kept across retries. */
export function signedHeaders(secret: string, id: string, nowMs: number, body: string): Record<string, string> {
  const at = new Date(Math.floor(nowMs / 1000) * 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(nowMs / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}
