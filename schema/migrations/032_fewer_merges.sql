-- Fewer rewrites of the same rows by background merges. The flusher writes a part every ~200 ms (the screen must
-- move within a second), and with the default merge_selector_base (5) MergeTree merged each inserted row about five
-- times within seconds (`system.events` MergedRows ÷ inserted rows, 3,000-row inserts of launch rows into all three
-- tables): merges took ~48 ms of CPU per insert, more than half of what storing a row cost. At 20 each row is merged
-- ~1.6 times (4,700–4,800 merged rows per insert, ~24 ms), at the price of a few more parts per partition (6 → 8–14
-- for `events` after a minute at that rate), which reads open in parallel. Measured in bench/analysis.md.
ALTER TABLE events MODIFY SETTING merge_selector_base = 20;
ALTER TABLE agg_delta MODIFY SETTING merge_selector_base = 20;
ALTER TABLE agg_10s MODIFY SETTING merge_selector_base = 20;
