-- The admin audit log (who changed what, when), and share links: a dashboard token may expire, and when each was
-- last used is kept (written by the servers about every half minute, newest wins).
CREATE TABLE IF NOT EXISTS audit_log (
    at DateTime64(3, 'UTC'),
    id String,
    token_id String,
    token_label String,
    action LowCardinality(String),
    kind LowCardinality(String),
    target_id String,
    detail String
) ENGINE = MergeTree
ORDER BY (at, id);

ALTER TABLE dashboard_tokens ADD COLUMN IF NOT EXISTS expires_at Int64 DEFAULT 0;

CREATE TABLE IF NOT EXISTS token_usage (
    id String,
    last_used_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(last_used_at)
ORDER BY id;
