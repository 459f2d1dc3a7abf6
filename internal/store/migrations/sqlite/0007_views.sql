-- Page views of stories, counted on the server per story per hour: no
-- cookies, no third parties.
CREATE TABLE story_views (
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    hour     DATETIME NOT NULL,
    views    INTEGER NOT NULL,
    PRIMARY KEY (story_id, hour)
);
CREATE INDEX story_views_hour ON story_views (hour);
