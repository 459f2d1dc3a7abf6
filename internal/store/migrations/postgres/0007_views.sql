-- Page views of stories, counted on the server per story per hour: no
-- cookies, no third parties.
CREATE TABLE story_views (
    story_id BIGINT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    hour     TIMESTAMPTZ NOT NULL,
    views    INTEGER NOT NULL,
    PRIMARY KEY (story_id, hour)
);
CREATE INDEX story_views_hour ON story_views (hour);
