-- The terms that weighed most in a comment's sentiment ("overpriced", "🙄"), kept so the comment stream can say why.
ALTER TABLE events ADD COLUMN IF NOT EXISTS sentiment_terms Array(String) DEFAULT [];
