-- Comments, recommendations, reports, suspensions and the moderation log.
ALTER TABLE stories ADD COLUMN comments_mode TEXT NOT NULL DEFAULT 'subscribers'
    CHECK (comments_mode IN ('subscribers', 'registered', 'closed'));
ALTER TABLE users ADD COLUMN notify_replies BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    parent_id   INTEGER REFERENCES comments (id),
    depth       INTEGER NOT NULL DEFAULT 0,
    body        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('published', 'held', 'rejected', 'deleted')),
    held_reason TEXT NOT NULL DEFAULT '',
    staff       BOOLEAN NOT NULL DEFAULT FALSE,
    featured    BOOLEAN NOT NULL DEFAULT FALSE,
    recommends  INTEGER NOT NULL DEFAULT 0,
    created_at  DATETIME NOT NULL,
    edited_at   DATETIME
);
CREATE INDEX comments_story ON comments (story_id, status, created_at);
CREATE INDEX comments_parent ON comments (parent_id);
CREATE INDEX comments_user ON comments (user_id, created_at);
CREATE INDEX comments_status ON comments (status, created_at);

CREATE TABLE comment_recommendations (
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (comment_id, user_id)
);

CREATE TABLE comment_reports (
    id          INTEGER PRIMARY KEY,
    comment_id  INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reason      TEXT NOT NULL CHECK (reason IN ('spam', 'abuse', 'off_topic', 'other')),
    note        TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    resolved_at DATETIME
);
CREATE INDEX comment_reports_open ON comment_reports (resolved_at, comment_id);
CREATE UNIQUE INDEX comment_reports_once ON comment_reports (comment_id, user_id);

CREATE TABLE comment_suspensions (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    until      DATETIME,
    reason     TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL
);

CREATE TABLE moderation_log (
    id         INTEGER PRIMARY KEY,
    actor_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action     TEXT NOT NULL,
    comment_id INTEGER REFERENCES comments (id) ON DELETE SET NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX moderation_log_time ON moderation_log (created_at);

-- The comment a reply answers, when it is shown under an ancestor because
-- threads nest three levels deep at most.
ALTER TABLE comments ADD COLUMN reply_to_id INTEGER REFERENCES comments (id);
-- One-click unsubscribe address for emails that carry it (RFC 8058).
ALTER TABLE outbox ADD COLUMN list_unsubscribe TEXT NOT NULL DEFAULT '';
