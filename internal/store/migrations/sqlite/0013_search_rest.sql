-- Full-text search over the whole text of a story: the rest of the body
-- after the first paragraph is matched and ranked, never quoted, so a
-- subscribers-only story is found by any of its words without search
-- showing the paywalled part. The store fills search_rest for the stories
-- already written, from their rendered bodies, right after this script.
ALTER TABLE stories ADD COLUMN search_rest TEXT NOT NULL DEFAULT '';

DROP TRIGGER stories_fts_insert;
DROP TRIGGER stories_fts_delete;
DROP TRIGGER stories_fts_update;
DROP TABLE stories_fts;

CREATE VIRTUAL TABLE stories_fts USING fts5(
    headline, dek, search_lead, search_rest,
    content = 'stories', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO stories_fts (rowid, headline, dek, search_lead, search_rest)
    SELECT id, headline, dek, search_lead, search_rest FROM stories;

CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN
    INSERT INTO stories_fts (rowid, headline, dek, search_lead, search_rest)
    VALUES (new.id, new.headline, new.dek, new.search_lead, new.search_rest);
END;
CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, headline, dek, search_lead, search_rest)
    VALUES ('delete', old.id, old.headline, old.dek, old.search_lead, old.search_rest);
END;
CREATE TRIGGER stories_fts_update AFTER UPDATE OF headline, dek, search_lead, search_rest ON stories BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, headline, dek, search_lead, search_rest)
    VALUES ('delete', old.id, old.headline, old.dek, old.search_lead, old.search_rest);
    INSERT INTO stories_fts (rowid, headline, dek, search_lead, search_rest)
    VALUES (new.id, new.headline, new.dek, new.search_lead, new.search_rest);
END;
