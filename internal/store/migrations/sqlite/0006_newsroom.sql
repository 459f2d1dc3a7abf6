-- The newsroom: who created a story, review requests, revisions, and the
-- old slugs that redirect to a story.
ALTER TABLE stories ADD COLUMN created_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE stories ADD COLUMN submitted_at DATETIME;
CREATE INDEX stories_scheduled ON stories (status, published_at);

CREATE TABLE story_revisions (
    id         INTEGER PRIMARY KEY,
    story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    version    INTEGER NOT NULL,
    headline   TEXT NOT NULL,
    dek        TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX story_revisions_story ON story_revisions (story_id, version);

CREATE TABLE slug_redirects (
    old_slug TEXT PRIMARY KEY,
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE
);
