-- Lookup tables for ingest, fed from `events` by materialized views and ordered by what ingest looks up:
-- event ids per source (de-duplication rebuilt at start-up), clicks by click_id (attribution), and
-- conversions/refunds by order (order de-duplication, refunds). A re-sent batch is de-duplicated here too.
CREATE TABLE IF NOT EXISTS ingest_event_ids (
    source_id LowCardinality(String),
    event_id String,
    received_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree
ORDER BY (source_id, event_id)
TTL toDateTime(received_at) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_event_ids_mv TO ingest_event_ids AS
SELECT source_id, event_id, received_at FROM events;

CREATE TABLE IF NOT EXISTS ingest_clicks (
    click_id String,
    campaign_id LowCardinality(String),
    partner_id LowCardinality(String),
    link_code String,
    ts DateTime64(3, 'UTC'),
    bot UInt8
) ENGINE = ReplacingMergeTree
ORDER BY click_id
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_clicks_mv TO ingest_clicks AS
SELECT click_id, campaign_id, partner_id, link_code, ts, bot FROM events WHERE type = 'click' AND click_id != '';

CREATE TABLE IF NOT EXISTS ingest_orders (
    campaign_id LowCardinality(String),
    order_id String,
    type LowCardinality(String),
    event_id String,
    partner_id LowCardinality(String),
    ts DateTime64(3, 'UTC'),
    status LowCardinality(String),
    amount_minor Int64,
    currency LowCardinality(String),
    orig_amount_minor Int64,
    orig_currency LowCardinality(String),
    commission_minor Int64,
    attributed UInt8,
    converted UInt8,
    batch_id String,
    received_at DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (campaign_id, order_id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_orders_mv TO ingest_orders AS
SELECT campaign_id, order_id, type, event_id, partner_id, ts, status, amount_minor, currency, orig_amount_minor, orig_currency, commission_minor, attributed, converted, batch_id, received_at
FROM events WHERE type IN ('conversion', 'refund') AND order_id != '';
