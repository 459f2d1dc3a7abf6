-- Where replies to an email go (its Reply-To header); empty for none.
ALTER TABLE outbox ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
