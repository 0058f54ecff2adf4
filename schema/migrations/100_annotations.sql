-- Notes the war room puts on the charts by hand: one row per note id, the newest version wins (deleting writes a
-- deleted version, as alert channels do).
CREATE TABLE IF NOT EXISTS annotations (
    id String,
    campaign_id LowCardinality(String),
    partner_id String,
    ts DateTime64(3, 'UTC'),
    text String,
    author String,
    author_token_id String,
    deleted UInt8 DEFAULT 0,
    version UInt64,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(ts)
ORDER BY (campaign_id, id);
