-- Platform connectors (YouTube, Instagram, TikTok): each is a source (so freshness names it) with the partner's
-- platform credential sealed under the data key and its status ("needs_reauth" once the platform refuses the token).
CREATE TABLE IF NOT EXISTS connectors (
    source_id String,
    platform LowCardinality(String),
    partner_id String,
    account_id String,
    credential String,
    status LowCardinality(String),
    status_message String,
    status_at DateTime64(3, 'UTC'),
    version UInt64,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(version)
ORDER BY source_id;

-- Posts registered by URL: the id the URL names (a video id, or an Instagram shortcode until the media id is found),
-- and what the connector learnt (the platform's media id, when it was published, whether it was deleted).
CREATE TABLE IF NOT EXISTS connector_posts (
    id String,
    source_id String,
    campaign_id String,
    partner_id String,
    platform LowCardinality(String),
    url String,
    url_id String,
    media_id String,
    published_at DateTime64(3, 'UTC'),
    registered_at DateTime64(3, 'UTC'),
    status LowCardinality(String),
    status_message String,
    deleted UInt8 DEFAULT 0,
    version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY id;

-- Every call a connector made: what it cost (YouTube quota units, or one call), how it ended, and what it produced.
CREATE TABLE IF NOT EXISTS connector_polls (
    at DateTime64(3, 'UTC'),
    source_id LowCardinality(String),
    platform LowCardinality(String),
    endpoint LowCardinality(String),
    post_ids Array(String),
    units UInt32,
    http_status UInt16,
    outcome LowCardinality(String),
    duration_ms UInt32,
    events UInt32,
    retry_after_ms UInt32,
    error String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (source_id, at)
TTL toDateTime(at) + INTERVAL 90 DAY;
