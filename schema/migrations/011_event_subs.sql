-- Affiliate-network sub ids (sub1…sub5) of a conversion postback, kept with the event.
ALTER TABLE events ADD COLUMN IF NOT EXISTS sub Array(String) DEFAULT [];
