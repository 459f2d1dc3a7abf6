-- Nothing on PostgreSQL: a story's publication time lives in its row's
-- main part (the body is stored apart, in TOAST), and a search sorted
-- newest first reads it there. The step keeps the two dialects' numbers
-- in line with SQLite's, which adds an index of the dates by id.
SELECT 1;
