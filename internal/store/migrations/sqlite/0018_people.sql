-- Staff managed from the site: when each account last signed in, the
-- invitations that make someone staff, and the audit log of what
-- administrators changed.
ALTER TABLE users ADD COLUMN last_login_at DATETIME;

CREATE TABLE invitations (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    email      TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('writer', 'editor', 'moderator', 'admin')),
    invited_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME,
    used_by    INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX invitations_email ON invitations (email);

-- The actor's name and address are kept as text, so an entry still says
-- who acted after their account is gone.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       DATETIME NOT NULL,
    actor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL DEFAULT '',
    details  TEXT NOT NULL DEFAULT ''
);
