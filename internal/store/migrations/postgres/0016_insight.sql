-- What the dashboard's charts and its stories that convert are counted
-- from, with nothing personal kept.
--
-- story_reads: the stories signed-in readers without a subscription read
-- lately, each reader known only by a keyed hash of their account, kept
-- an hour and forgotten when the reader subscribes.
CREATE TABLE story_reads (
    reader_key TEXT NOT NULL,
    story_id   BIGINT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    read_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (reader_key, story_id)
);
CREATE INDEX story_reads_read_at ON story_reads (read_at);

-- story_conversions: how many subscriptions each story led to, by the
-- paper's day.
CREATE TABLE story_conversions (
    story_id    BIGINT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    conversions INTEGER NOT NULL,
    PRIMARY KEY (story_id, day)
);
CREATE INDEX story_conversions_day ON story_conversions (day);

-- subscription_changes: each change of a subscription's state, without
-- whose it was, so that the dashboard can draw subscribers by state,
-- subscriptions and cancellations by the day.
CREATE TABLE subscription_changes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    changed_at  TIMESTAMPTZ NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL
);
CREATE INDEX subscription_changes_at ON subscription_changes (changed_at);

-- The charts of sign-ups and comments by the day read new rows only.
CREATE INDEX users_created ON users (created_at);
CREATE INDEX comments_created ON comments (created_at);
