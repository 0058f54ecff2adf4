-- A conversion's lifecycle (issue 21). Each change of an order's status is a `status` row of `events`: the order's
-- net amount and commission (after refunds so far) leave the old status and enter the new one, so the aggregates count
-- each order once, in its current status. A change whose order was not known yet (from_status '') moves nothing until
-- ingest applies it; one older than the order's current status is stored with from = to and nets to zero. A refund of a
-- pending order now lowers the pending amount (it lowered nothing before, and the order's approval moves its net).
-- The statements run at start-up, before ingest accepts events: nothing is inserted between the DROP and the CREATE.
ALTER TABLE events ADD COLUMN IF NOT EXISTS from_status LowCardinality(String) DEFAULT '';
ALTER TABLE events ADD COLUMN IF NOT EXISTS status_reason String DEFAULT '';

DROP VIEW IF EXISTS agg_delta_mv;
CREATE MATERIALIZED VIEW IF NOT EXISTS agg_delta_mv TO agg_delta AS
SELECT
    now64(3) AS inserted_at,
    batch_id,
    campaign_id,
    partner_id,
    platform,
    toStartOfInterval(events.ts, INTERVAL 10 SECOND) AS bucket,
    sum(events.views) AS views,
    sum(if(events.has_reach, events.reach, 0)) AS reach,
    sum(if(events.has_reach, events.likes + events.comments + events.shares + events.saves, 0)) AS reach_interactions,
    sum(events.likes) AS likes,
    sum(events.comments) AS comments,
    sum(events.shares) AS shares,
    sum(events.saves) AS saves,
    sum(follows) AS follows,
    countIf(events.type = 'comment') AS comments_n,
    countIf(events.type = 'comment' AND events.label IN ('pos', 'neu', 'neg')) AS scored_n,
    sumIf(toFloat64(events.sentiment), events.type = 'comment' AND events.label IN ('pos', 'neu', 'neg')) AS sentiment_sum,
    countIf(events.type = 'comment' AND events.label = 'pos') AS pos_n,
    countIf(events.type = 'comment' AND events.label = 'neu') AS neu_n,
    countIf(events.type = 'comment' AND events.label = 'neg') AS neg_n,
    countIf(events.type = 'comment' AND events.label = 'unscored') AS unscored_n,
    countIf(events.type = 'click' AND events.bot = 0) AS clicks,
    countIf(events.type = 'click' AND events.bot = 0 AND events.is_unique = 1) AS unique_clicks,
    countIf(events.type = 'click' AND events.bot = 1) AS bot_clicks,
    countIf(events.type = 'conversion' AND events.status = 'approved' AND events.converted = 1)
        + countIf(events.type = 'status' AND events.from_status != '' AND events.status = 'approved' AND events.converted = 1)
        - countIf(events.type = 'status' AND events.from_status = 'approved' AND events.converted = 1) AS conversions,
    sumIf(events.amount_minor, events.type IN ('conversion', 'refund') AND events.status = 'approved' AND events.converted = 1)
        + sumIf(events.amount_minor, events.type = 'status' AND events.from_status != '' AND events.status = 'approved' AND events.converted = 1)
        - sumIf(events.amount_minor, events.type = 'status' AND events.from_status = 'approved' AND events.converted = 1) AS revenue_minor,
    sumIf(events.commission_minor, events.type IN ('conversion', 'refund') AND events.status = 'approved' AND events.converted = 1)
        + sumIf(events.commission_minor, events.type = 'status' AND events.from_status != '' AND events.status = 'approved' AND events.converted = 1)
        - sumIf(events.commission_minor, events.type = 'status' AND events.from_status = 'approved' AND events.converted = 1) AS commission_minor,
    countIf(events.type = 'conversion' AND events.status = 'pending')
        + countIf(events.type = 'status' AND events.from_status != '' AND events.status = 'pending')
        - countIf(events.type = 'status' AND events.from_status = 'pending') AS pending_n,
    sumIf(events.amount_minor, events.type IN ('conversion', 'refund') AND events.status = 'pending')
        + sumIf(events.amount_minor, events.type = 'status' AND events.from_status != '' AND events.status = 'pending')
        - sumIf(events.amount_minor, events.type = 'status' AND events.from_status = 'pending') AS pending_minor,
    countIf(events.type = 'conversion' AND events.status = 'rejected')
        + countIf(events.type = 'status' AND events.from_status != '' AND events.status = 'rejected')
        - countIf(events.type = 'status' AND events.from_status = 'rejected') AS rejected_n,
    countIf(events.type = 'refund' AND events.status = 'approved' AND events.converted = 1) AS refunds_n,
    sumIf(-events.amount_minor, events.type = 'refund' AND events.status = 'approved' AND events.converted = 1) AS refund_minor,
    countIf(events.type = 'conversion' AND events.attributed = 0) AS unattributed_n,
    sumIf(events.amount_minor, events.type = 'conversion' AND events.attributed = 0 AND events.status = 'approved')
        + sumIf(events.amount_minor, events.type = 'status' AND events.from_status != '' AND events.status = 'approved' AND events.attributed = 0)
        - sumIf(events.amount_minor, events.type = 'status' AND events.from_status = 'approved' AND events.attributed = 0) AS unattributed_minor,
    countIf(events.type = 'conversion' AND events.converted = 0) AS unconverted_n,
    countIf(events.type = 'conversion' AND events.suspicious = 1) AS suspicious_n,
    countIf(events.type = 'post') AS posts,
    countIf(events.type = 'post' AND events.disclosure = 'weak') AS disclosure_weak,
    countIf(events.type = 'post' AND events.disclosure = 'missing') AS disclosure_missing
FROM events
GROUP BY batch_id, campaign_id, partner_id, platform, bucket;

-- Payouts: what was paid to a partner for a campaign up to a date. Its lines are the ledger entries it paid (by the
-- event that made each: the approval, refund or reversal), so a paid line is never paid again and stays as it was.
CREATE TABLE IF NOT EXISTS payouts (
    id String,
    campaign_id String,
    partner_id String,
    period_start DateTime64(3, 'UTC'),
    period_end DateTime64(3, 'UTC'),
    currency LowCardinality(String),
    commission_minor Int64,
    fees_minor Int64,
    carried_minor Int64,
    total_minor Int64,
    conversions UInt32,
    lines UInt32,
    paid_at DateTime64(3, 'UTC'),
    paid_by String,
    reference String
) ENGINE = ReplacingMergeTree
ORDER BY (campaign_id, partner_id, id);

CREATE TABLE IF NOT EXISTS payout_lines (
    campaign_id String,
    partner_id String,
    event_id String,
    payout_id String,
    commission_minor Int64,
    revenue_minor Int64
) ENGINE = ReplacingMergeTree
ORDER BY (campaign_id, partner_id, event_id);
