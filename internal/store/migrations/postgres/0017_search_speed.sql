-- Faster whole-text search at a hundred thousand stories. A search finds
-- its matches through the GIN index, then reads each match's row for its
-- status and date: those rows are kept narrow, so that many stay in
-- memory, by storing the wide values (the body, its HTML, the rest of the
-- body and the whole-text tsvector) outside the row. Ranking reads
-- search_head, a small tsvector of the headline, dek and first paragraph,
-- rather than the whole text's: a word found only in the rest of the body
-- adds nothing to the rank, as on SQLite. One ALTER TABLE rewrites the
-- table once, with the new storage.
DROP INDEX stories_search;
ALTER TABLE stories SET (toast_tuple_target = 512),
    ALTER COLUMN search_rest SET STORAGE EXTERNAL,
    DROP COLUMN search,
    ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', headline), 'A') ||
        setweight(to_tsvector('english', dek), 'B') ||
        setweight(to_tsvector('english', search_lead), 'C') ||
        setweight(to_tsvector('english', search_rest), 'D')
    ) STORED,
    ADD COLUMN search_head tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', headline), 'A') ||
        setweight(to_tsvector('english', dek), 'B') ||
        setweight(to_tsvector('english', search_lead), 'C')
    ) STORED;
ALTER TABLE stories ALTER COLUMN search SET STORAGE EXTERNAL, ALTER COLUMN search_head SET STORAGE MAIN;
CREATE INDEX stories_search ON stories USING GIN (search);
