-- The publication time of each story by its id, in an index of its own.
-- A search sorted newest first reads the dates of up to 500 matches; in
-- the table, published_at is stored after the body, so each date read
-- there walks the body's overflow pages. This small index holds the date
-- beside the id and answers the same from a few pages.
CREATE INDEX stories_dates ON stories (id, published_at);
