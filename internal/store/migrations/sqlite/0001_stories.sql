-- Sections, authors, tags and stories: the reading site.
CREATE TABLE sections (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE authors (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    bio  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE stories (
    id           INTEGER PRIMARY KEY,
    slug         TEXT NOT NULL UNIQUE,
    headline     TEXT NOT NULL,
    dek          TEXT NOT NULL DEFAULT '',
    dateline     TEXT NOT NULL DEFAULT '',
    section_id   INTEGER NOT NULL REFERENCES sections (id),
    body         TEXT NOT NULL DEFAULT '',
    body_html    TEXT NOT NULL DEFAULT '',
    access       TEXT NOT NULL DEFAULT 'free' CHECK (access IN ('free', 'subscribers')),
    status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'scheduled', 'published')),
    published_at DATETIME,
    updated_at   DATETIME,
    created_at   DATETIME NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX stories_published ON stories (status, published_at DESC, id DESC);
CREATE INDEX stories_section_published ON stories (section_id, status, published_at DESC, id DESC);

CREATE TABLE story_bylines (
    story_id  INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    author_id INTEGER REFERENCES authors (id),
    name      TEXT NOT NULL,
    PRIMARY KEY (story_id, position)
);
CREATE INDEX story_bylines_author ON story_bylines (author_id);

CREATE TABLE story_tags (
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags (id),
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (story_id, tag_id)
);
CREATE INDEX story_tags_tag ON story_tags (tag_id);

CREATE TABLE corrections (
    id         INTEGER PRIMARY KEY,
    story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX corrections_story ON corrections (story_id);
