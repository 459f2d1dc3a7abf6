-- Full-text search over what every reader may see of a story: headline,
-- dek and first paragraph. Never the rest of a subscribers-only body.
ALTER TABLE stories ADD COLUMN search_lead TEXT NOT NULL DEFAULT '';
UPDATE stories SET search_lead = split_part(body, E'\n\n', 1);

ALTER TABLE stories ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', headline), 'A') ||
    setweight(to_tsvector('english', dek), 'B') ||
    setweight(to_tsvector('english', search_lead), 'C')
) STORED;
CREATE INDEX stories_search ON stories USING GIN (search);
