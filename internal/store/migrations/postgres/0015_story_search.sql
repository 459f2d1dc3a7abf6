-- Whole-text search reads a narrow table of its own. A search finds its
-- matches through the GIN index, then must read each match's row for its
-- status and date before it can take the newest: in stories, rows of
-- about 1.3 kB, that was one page read for nearly every match (3,247
-- pages for a word in 3.5% of 100,000 stories). story_search keeps only
-- what a search filters and sorts on beside the tsvector, which is stored
-- outside the row: about 60 bytes a story, 130 to a page, so the same
-- search reads some 770 pages, which stay in memory.
--
-- A trigger keeps it in step with stories, in the same transaction as the
-- change; the whole-text tsvector moves here from stories (where it was a
-- generated column), so it is computed and stored once.
CREATE TABLE story_search (
    id           BIGINT PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
    status       TEXT NOT NULL,
    section_id   BIGINT NOT NULL,
    published_at TIMESTAMPTZ,
    search       tsvector NOT NULL
) WITH (toast_tuple_target = 128);
ALTER TABLE story_search ALTER COLUMN search SET STORAGE EXTERNAL;

INSERT INTO story_search (id, status, section_id, published_at, search)
    SELECT id, status, section_id, published_at, search FROM stories;

DROP INDEX stories_search;
ALTER TABLE stories DROP COLUMN search;
CREATE INDEX story_search_search ON story_search USING GIN (search);

CREATE FUNCTION story_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO story_search (id, status, section_id, published_at, search)
    VALUES (NEW.id, NEW.status, NEW.section_id, NEW.published_at,
        setweight(to_tsvector('english', NEW.headline), 'A') ||
        setweight(to_tsvector('english', NEW.dek), 'B') ||
        setweight(to_tsvector('english', NEW.search_lead), 'C') ||
        setweight(to_tsvector('english', NEW.search_rest), 'D'))
    ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, section_id = EXCLUDED.section_id,
        published_at = EXCLUDED.published_at, search = EXCLUDED.search;
    RETURN NULL;
END
$$;
CREATE TRIGGER story_search_sync AFTER INSERT OR UPDATE OF headline, dek, search_lead, search_rest, status, section_id, published_at
    ON stories FOR EACH ROW EXECUTE FUNCTION story_search_sync();
