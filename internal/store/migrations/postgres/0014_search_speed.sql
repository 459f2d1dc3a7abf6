-- Faster whole-text search at a hundred thousand stories. A search finds
-- its matches through the GIN index, then reads each match's row for its
-- status and date, and ranks the newest. The rows are kept narrower, so
-- that more of them stay in memory: the wide values (the body, its HTML,
-- the rest of the body and the whole-text tsvector) go outside the row,
-- while the short ones lists and ranking read (slug, headline, dek, first
-- paragraph) stay in it (STORAGE MAIN: compressed if need be, moved out
-- only for a row near a page's size). Ranking reads search_head, a small
-- tsvector of the headline, dek and first paragraph kept in the row,
-- rather than the whole text's: a word found only in the rest of the body
-- adds nothing to the rank, as on SQLite. One ALTER TABLE rewrites the
-- table once, with the new storage.
DROP INDEX stories_search;
ALTER TABLE stories SET (toast_tuple_target = 512),
    ALTER COLUMN slug SET STORAGE MAIN,
    ALTER COLUMN headline SET STORAGE MAIN,
    ALTER COLUMN dek SET STORAGE MAIN,
    ALTER COLUMN search_lead SET STORAGE MAIN,
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
    ) STORED,
    ALTER COLUMN search_head SET STORAGE MAIN;
CREATE INDEX stories_search ON stories USING GIN (search);
