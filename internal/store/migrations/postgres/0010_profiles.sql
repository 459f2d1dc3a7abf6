-- Search-engine title and description for stories, and author photos.
ALTER TABLE stories ADD COLUMN seo_title TEXT NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN seo_description TEXT NOT NULL DEFAULT '';
ALTER TABLE authors ADD COLUMN photo_id BIGINT REFERENCES images (id) ON DELETE SET NULL;
