-- Faster ranking of whole-text search at a hundred thousand stories: a
-- second, small index of the headline, dek and first paragraph only,
-- which records the columns a word is in but not its positions. Ranking
-- asks it which of those columns hold each query word, for the newest
-- matches, instead of walking the whole text's index, whose entries carry
-- every position in the body. Matching and quoting still use stories_fts.
CREATE VIRTUAL TABLE stories_rank USING fts5(
    headline, dek, search_lead,
    content = 'stories', content_rowid = 'id', detail = column,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO stories_rank (stories_rank) VALUES ('rebuild');

CREATE TRIGGER stories_rank_insert AFTER INSERT ON stories BEGIN
    INSERT INTO stories_rank (rowid, headline, dek, search_lead)
    VALUES (new.id, new.headline, new.dek, new.search_lead);
END;
CREATE TRIGGER stories_rank_delete AFTER DELETE ON stories BEGIN
    INSERT INTO stories_rank (stories_rank, rowid, headline, dek, search_lead)
    VALUES ('delete', old.id, old.headline, old.dek, old.search_lead);
END;
CREATE TRIGGER stories_rank_update AFTER UPDATE OF headline, dek, search_lead ON stories BEGIN
    INSERT INTO stories_rank (stories_rank, rowid, headline, dek, search_lead)
    VALUES ('delete', old.id, old.headline, old.dek, old.search_lead);
    INSERT INTO stories_rank (rowid, headline, dek, search_lead)
    VALUES (new.id, new.headline, new.dek, new.search_lead);
END;
