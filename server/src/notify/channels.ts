// An alert channel's configuration (a Slack incoming webhook or a signed webhook), as an admin sends it and as it is
// shown back: secrets never leave the server, only a hint of them does.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ALERT_KINDS, slugId, text, type Alert } from '@pulseroom/schema';

export const CHANNEL_TYPES = ['slack', 'webhook'] as const;
export const SEVERITIES = ['info', 'warning', 'critical'] as const satisfies readonly Alert['severity'][];

/** Standard Webhooks secrets: `whsec_` and the base64 of 24–64 random bytes. */
const WHSEC = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

const httpUrl = z
  .string({ error: 'expected a URL' })
  .max(2000, 'expected at most 2000 characters')
  .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), 'expected an http:// or https:// URL');

/** What an admin sends (PUT): url and secret may be left out to keep the stored ones. */
export const channelInput = z.object({
  campaign_id: slugId,
  name: text(200).default(''),
  type: z.enum(CHANNEL_TYPES, { error: `expected one of ${CHANNEL_TYPES.join(', ')}` }),
  url: httpUrl.optional(),
  secret: z
    .string({ error: 'expected a string' })
    .regex(WHSEC, 'expected a Standard Webhooks secret: whsec_ and base64 of 24–64 bytes')
    .optional(),
  /** Which alert kinds go to this channel (empty: every kind). */
  kinds: z
    .array(z.enum(ALERT_KINDS, { error: `expected one of ${ALERT_KINDS.join(', ')}` }))
    .max(ALERT_KINDS.length)
    .default([]),
  min_severity: z.enum(SEVERITIES, { error: `expected one of ${SEVERITIES.join(', ')}` }).default('info'),
  enabled: z.boolean({ error: 'expected true or false' }).default(true),
});
export type ChannelInput = z.infer<typeof channelInput>;

export interface AlertChannel {
  id: string;
  campaign_id: string;
  name: string;
  type: (typeof CHANNEL_TYPES)[number];
  url: string;
  /** A webhook's signing secret (`whsec_…`); '' for Slack, whose URL is the secret. */
  secret: string;
  kinds: Alert['kind'][];
  min_severity: Alert['severity'];
  enabled: boolean;
}

export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** Does this channel take this alert (its kinds and severity)? */
export function routes(channel: AlertChannel, alert: Pick<Alert, 'campaign_id' | 'kind' | 'severity'>): boolean {
  return (
    channel.enabled &&
    channel.campaign_id === alert.campaign_id &&
    (channel.kinds.length === 0 || channel.kinds.includes(alert.kind)) &&
    SEVERITIES.indexOf(alert.severity) >= SEVERITIES.indexOf(channel.min_severity)
  );
}

const tail = (s: string) => s.slice(-4);

/** A channel as the admin API shows it: the URL's origin and last characters, the secret's last characters. */
export function masked(c: AlertChannel) {
  const { url, secret, ...rest } = c;
  const secret_hint = secret ? `whsec_…${tail(secret)}` : null;
  return { ...rest, url_hint: `${new URL(url).origin}/…${tail(url)}`, secret_hint };
}
