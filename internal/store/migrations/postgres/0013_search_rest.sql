-- Full-text search over the whole text of a story: the rest of the body
-- after the first paragraph is matched and ranked (weight D), never
-- quoted, so a subscribers-only story is found by any of its words
-- without search showing the paywalled part. The store fills search_rest
-- for the stories already written, from their rendered bodies, right
-- after this script.
ALTER TABLE stories ADD COLUMN search_rest TEXT NOT NULL DEFAULT '';

ALTER TABLE stories DROP COLUMN search;
ALTER TABLE stories ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', headline), 'A') ||
    setweight(to_tsvector('english', dek), 'B') ||
    setweight(to_tsvector('english', search_lead), 'C') ||
    setweight(to_tsvector('english', search_rest), 'D')
) STORED;
CREATE INDEX stories_search ON stories USING GIN (search);
