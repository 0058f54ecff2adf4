-- Outbound alerts: channels per campaign (Slack or a signed webhook; the newest version wins, deleting writes a
-- deleted version) and the delivery log, one row per alert and channel so a restart never sends an alert twice.
CREATE TABLE IF NOT EXISTS alert_channels (
    id String,
    campaign_id String,
    name String,
    type LowCardinality(String),
    url String,
    secret String,
    kinds Array(String),
    min_severity LowCardinality(String),
    enabled UInt8,
    deleted UInt8 DEFAULT 0,
    version UInt64,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(version)
ORDER BY id;

CREATE TABLE IF NOT EXISTS alert_deliveries (
    channel_id String,
    alert_id String,
    campaign_id String,
    message_id String,
    kind LowCardinality(String),
    status LowCardinality(String),
    attempts UInt32,
    http_status UInt16,
    error String,
    at DateTime64(3, 'UTC'),
    version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(at)
ORDER BY (channel_id, alert_id);

-- How often a source is expected to send: past it, the war room names the source as late (0: the server's default).
ALTER TABLE sources ADD COLUMN IF NOT EXISTS expected_every_s UInt32 DEFAULT 0;
