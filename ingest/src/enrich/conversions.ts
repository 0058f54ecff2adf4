// Conversion and refund enrichment: attribution (click_id within the deal's window, promo code, or the
// sender's partner_id), currency conversion, tiered commission, order de-duplication and proportional refunds.
import {
  commissionFor,
  commissionReversal,
  commissionTerms,
  convertMinor,
  DEFAULT_ATTRIBUTION_DAYS,
  toMinor,
  type ConversionEvent,
  type FxRates,
  type RefundEvent,
  type StatusEvent,
} from '@pulseroom/schema';
import type { DimensionCache } from '@pulseroom/schema/server';
import type { IngestRow, IngestState, OrderFact } from '../state.js';

export const SUSPICIOUS_CLICK_TO_CONVERSION_MS = 15_000;
const DAY_MS = 86_400_000;

export interface MoneyContext {
  state: IngestState;
  dims: DimensionCache;
  fxRates: FxRates;
}

export type Attribution = {
  partner_id: string;
  via: 'click' | 'promo' | 'partner';
  click_ts?: number;
  link_code?: string;
  bot_click?: boolean;
} | null;

/**
 * Who earned this conversion: the click (if within its deal's window), else the promo code, else the sender's
 * partner_id.
 */
export function attribute(e: ConversionEvent, ctx: MoneyContext): Attribution {
  if (e.click_id) {
    const click = ctx.state.click(e.click_id);
    if (click && click.campaign_id === e.campaign_id && click.partner_id) {
      const deal = ctx.dims.dealFor(e.campaign_id, click.partner_id);
      const windowMs = (deal?.attribution_window_days ?? DEFAULT_ATTRIBUTION_DAYS) * DAY_MS;
      if (e.ts - click.ts <= windowMs)
        return {
          partner_id: click.partner_id,
          via: 'click',
          click_ts: click.ts,
          link_code: click.link_code,
          bot_click: click.bot === 1,
        };
    }
  }
  if (e.promo_code) {
    const deal = ctx.dims.promo(e.campaign_id, e.promo_code);
    if (deal) return { partner_id: deal.partner_id, via: 'promo' };
  }
  if (e.partner_id && ctx.dims.dealFor(e.campaign_id, e.partner_id))
    return { partner_id: e.partner_id, via: 'partner' };
  return null;
}

/**
 * Fills the conversion columns. An order seen before in the campaign is a change of its status when it comes with
 * another one (a `status` row), and a duplicate when it comes with the same.
 */
export function enrichConversion(e: ConversionEvent, row: IngestRow, ctx: MoneyContext): IngestRow | 'duplicate' {
  const known = ctx.state.order(e.campaign_id, e.order_id);
  if (known) return enrichChange(known, e, row, ctx);
  const campaignCurrency = ctx.dims.campaign(e.campaign_id)?.currency ?? e.currency;
  const origMinor = toMinor(e.amount, e.currency);
  const converted = convertMinor(origMinor, e.currency, campaignCurrency, ctx.fxRates);
  row.order_id = e.order_id;
  row.status = e.status;
  row.customer = e.customer ?? '';
  row.items = e.items;
  row.promo_code = e.promo_code ? e.promo_code.toUpperCase() : '';
  row.click_id = e.click_id ?? '';
  row.orig_amount_minor = origMinor;
  row.orig_currency = e.currency;
  row.currency = campaignCurrency;
  // An unknown rate: kept unconverted (counted apart) rather than summed in the wrong currency.
  row.converted = converted === null ? 0 : 1;
  row.amount_minor = converted ?? 0;
  if (e.sub) row.sub = e.sub;

  const who = attribute(e, ctx);
  row.partner_id = who?.partner_id ?? '';
  row.attributed = who ? 1 : 0;
  if (who?.link_code) {
    row.link_code = who.link_code;
    // A sale through a tracking link belongs to the platform the link was posted on (the sender rarely knows it).
    row.platform ||= ctx.dims.link(who.link_code)?.link.platform ?? '';
  }
  if (who?.via === 'click' && (e.ts - (who.click_ts ?? 0) < SUSPICIOUS_CLICK_TO_CONVERSION_MS || who.bot_click))
    row.suspicious = 1;

  const deal = who ? ctx.dims.dealFor(e.campaign_id, who.partner_id) : undefined;
  if (deal && row.converted && e.status !== 'rejected') {
    const terms = commissionTerms(deal, (major) => toMinor(major, campaignCurrency));
    row.commission_minor = commissionFor(
      terms,
      row.amount_minor,
      ctx.state.dealRevenue(e.campaign_id, who!.partner_id),
    );
  }
  return row;
}

/**
 * Fills the refund columns: the original order's partner and status, negative revenue (at the order's own
 * exchange rate when in its currency) and the proportional commission reversal. A refund of an unknown
 * order is kept with status '' (not counted) so the gap is visible.
 */
export function enrichRefund(e: RefundEvent, row: IngestRow, ctx: MoneyContext): IngestRow {
  const order = ctx.state.order(e.campaign_id, e.order_id);
  const campaignCurrency = ctx.dims.campaign(e.campaign_id)?.currency ?? e.currency ?? 'USD';
  const currency = e.currency ?? order?.orig_currency ?? campaignCurrency;
  const origMinor = toMinor(e.amount, currency);
  row.order_id = e.order_id;
  row.orig_amount_minor = -origMinor;
  row.orig_currency = currency;
  row.currency = campaignCurrency;
  if (!order) {
    const converted = convertMinor(origMinor, currency, campaignCurrency, ctx.fxRates);
    row.amount_minor = -(converted ?? 0);
    row.converted = converted === null ? 0 : 1;
    row.attributed = 0;
    row.status = '';
    return row;
  }
  row.partner_id = order.partner_id;
  row.platform = order.platform; // where the order's revenue was counted
  row.attributed = order.attributed;
  row.status = order.status;
  let minor: number | null;
  if (currency === order.orig_currency && order.orig_amount_minor > 0)
    minor = Math.round((order.amount_minor * origMinor) / order.orig_amount_minor);
  else minor = convertMinor(origMinor, currency, campaignCurrency, ctx.fxRates);
  if (minor === null || !order.converted) {
    row.converted = 0;
    row.amount_minor = 0;
    return row;
  }
  const before = ctx.state.refunded(e.campaign_id, e.order_id);
  const remaining = Math.max(0, order.amount_minor - before.amount);
  if (minor > remaining) {
    minor = remaining; // more refunded than was paid: capped, and flagged for a look
    row.suspicious = 1;
  }
  row.converted = 1;
  row.amount_minor = -minor;
  row.commission_minor = -(
    commissionReversal(order.commission_minor, order.amount_minor, before.amount + minor) -
    commissionReversal(order.commission_minor, order.amount_minor, before.amount)
  );
  return row;
}

/**
 * A change of an order's status: a `status` row carrying the order's net amount and commission (what refunds left),
 * which the aggregates move from the old status to the new. The same status again is a duplicate; a rejection after
 * approval is a reversal; a change older than the order's current status is kept as history (from = to: it moves
 * nothing). An order not known yet keeps the change with from '' until its conversion arrives (see pendingChanges).
 */
export function enrichChange(
  order: OrderFact | undefined,
  e: Pick<StatusEvent, 'campaign_id' | 'order_id' | 'status' | 'ts' | 'reason'>,
  row: IngestRow,
  ctx: MoneyContext,
): IngestRow | 'duplicate' {
  row.type = 'status';
  row.order_id = e.order_id;
  row.status = e.status;
  row.status_reason = e.reason ?? '';
  if (!order) return row; // from_status '': waits for its order
  const to = e.status === 'rejected' && order.status === 'approved' ? 'reversed' : e.status;
  if (to === order.status) return 'duplicate';
  const refunded = ctx.state.refunded(e.campaign_id, e.order_id);
  row.status = to;
  row.from_status = e.ts < order.status_ts ? to : order.status;
  row.partner_id = order.partner_id;
  row.platform = order.platform;
  row.attributed = order.attributed;
  row.converted = order.converted;
  row.currency = order.currency;
  row.orig_currency = order.orig_currency;
  row.orig_amount_minor = order.orig_amount_minor;
  row.amount_minor = order.amount_minor - refunded.amount;
  row.commission_minor = order.commission_minor - refunded.commission;
  return row;
}
