-- The live tick reads the comments and posts of the batches it applies (`batch_id IN …` within their event-time
-- range). The primary key narrows that to the range, which at launch volumes still holds every other batch's rows
-- of those seconds: a skip index on the batch lets the read pass over granules of other batches, so what a tick
-- reads follows the batch, not how dense the stored history is. New parts get it as they are written.
ALTER TABLE events ADD INDEX IF NOT EXISTS idx_batch_id batch_id TYPE bloom_filter(0.01) GRANULARITY 1;
