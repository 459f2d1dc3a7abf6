-- A reader's recommendations, found by reader: the story page marks the
-- comments its reader recommended.
CREATE INDEX comment_recommendations_user ON comment_recommendations (user_id, comment_id);
