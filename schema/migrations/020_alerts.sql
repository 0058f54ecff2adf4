-- Alerts raised by the live server: one row per alert id, the newest version wins (acknowledging writes a new version).
CREATE TABLE IF NOT EXISTS alerts (
    id String,
    campaign_id LowCardinality(String),
    partner_id String,
    kind LowCardinality(String),
    severity LowCardinality(String),
    message String,
    ts DateTime64(3, 'UTC'),
    acknowledged UInt8 DEFAULT 0,
    acknowledged_by String DEFAULT '',
    version UInt64,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(ts)
ORDER BY (campaign_id, id);
