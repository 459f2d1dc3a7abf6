-- Full-text search over what every reader may see of a story: headline,
-- dek and first paragraph. Never the rest of a subscribers-only body.
ALTER TABLE stories ADD COLUMN search_lead TEXT NOT NULL DEFAULT '';
UPDATE stories SET search_lead = substr(body, 1, instr(body || char(10) || char(10), char(10) || char(10)) - 1);

CREATE VIRTUAL TABLE stories_fts USING fts5(
    headline, dek, search_lead,
    content = 'stories', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO stories_fts (rowid, headline, dek, search_lead) SELECT id, headline, dek, search_lead FROM stories;

CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN
    INSERT INTO stories_fts (rowid, headline, dek, search_lead) VALUES (new.id, new.headline, new.dek, new.search_lead);
END;
CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, headline, dek, search_lead)
    VALUES ('delete', old.id, old.headline, old.dek, old.search_lead);
END;
CREATE TRIGGER stories_fts_update AFTER UPDATE OF headline, dek, search_lead ON stories BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, headline, dek, search_lead)
    VALUES ('delete', old.id, old.headline, old.dek, old.search_lead);
    INSERT INTO stories_fts (rowid, headline, dek, search_lead) VALUES (new.id, new.headline, new.dek, new.search_lead);
END;
