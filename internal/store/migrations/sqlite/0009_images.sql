-- Uploaded images (the files live in the data folder) and a story's
-- featured image.
CREATE TABLE images (
    id         INTEGER PRIMARY KEY,
    format     TEXT NOT NULL CHECK (format IN ('jpeg', 'png')),
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    widths     TEXT NOT NULL,
    alt        TEXT NOT NULL,
    caption    TEXT NOT NULL DEFAULT '',
    credit     TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL
);
ALTER TABLE stories ADD COLUMN image_id INTEGER REFERENCES images (id) ON DELETE SET NULL;
