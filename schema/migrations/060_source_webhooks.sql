-- A source may be a shop's or a payment provider's webhook: which provider signs its requests, and the signing
-- secret the provider gave (sealed with the data key, never in clear: it must stay usable to check an HMAC, so it
-- cannot be hashed like the ingest keys).
ALTER TABLE sources ADD COLUMN IF NOT EXISTS provider LowCardinality(String) DEFAULT '';
ALTER TABLE sources ADD COLUMN IF NOT EXISTS webhook_secret String DEFAULT '';
