-- Dimensions: the validated input document of each, versioned (ReplacingMergeTree keeps the newest).
CREATE TABLE IF NOT EXISTS campaigns (
    id String,
    doc String,
    version UInt64,
    deleted UInt8 DEFAULT 0,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(version)
ORDER BY id;

CREATE TABLE IF NOT EXISTS partners (
    id String,
    manager_id String,
    doc String,
    version UInt64,
    deleted UInt8 DEFAULT 0,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(version)
ORDER BY id;

CREATE TABLE IF NOT EXISTS deals (
    id String,
    campaign_id String,
    partner_id String,
    doc String,
    version UInt64,
    deleted UInt8 DEFAULT 0,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(version)
ORDER BY id;

-- Ingest keys and dashboard tokens are stored only as SHA-256 hashes.
CREATE TABLE IF NOT EXISTS sources (
    id String,
    name String,
    key_hash String,
    campaign_ids Array(String),
    version UInt64,
    revoked UInt8 DEFAULT 0,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(version)
ORDER BY id;

CREATE TABLE IF NOT EXISTS dashboard_tokens (
    id String,
    token_hash String,
    role LowCardinality(String),
    campaign_ids Array(String),
    manager_id String,
    label String,
    version UInt64,
    revoked UInt8 DEFAULT 0,
    created_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(version)
ORDER BY id;
