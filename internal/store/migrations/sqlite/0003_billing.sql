-- Plans, subscriptions, the Stripe events already applied, the monthly
-- meter, gift links and site settings.
CREATE TABLE plans (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    price_minor     INTEGER NOT NULL CHECK (price_minor >= 0),
    currency        TEXT NOT NULL,
    billing_period  TEXT NOT NULL CHECK (billing_period IN ('month', 'year')),
    trial_days      INTEGER NOT NULL DEFAULT 0,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    stripe_price_id TEXT NOT NULL DEFAULT '',
    position        INTEGER NOT NULL DEFAULT 0,
    created_at      DATETIME NOT NULL
);

CREATE TABLE subscriptions (
    id                   INTEGER PRIMARY KEY,
    user_id              INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    plan_id              INTEGER REFERENCES plans (id),
    provider             TEXT NOT NULL CHECK (provider IN ('demo', 'stripe', 'complimentary')),
    customer_ref         TEXT NOT NULL DEFAULT '',
    provider_ref         TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL
                         CHECK (status IN ('incomplete', 'trialing', 'active', 'past_due', 'canceled', 'expired')),
    current_period_end   DATETIME,
    past_due_since       DATETIME,
    provider_event_at    DATETIME,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
CREATE UNIQUE INDEX subscriptions_provider_ref ON subscriptions (provider, provider_ref) WHERE provider_ref <> '';
CREATE INDEX subscriptions_status ON subscriptions (status);

CREATE TABLE stripe_events (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    received_at DATETIME NOT NULL
);

CREATE TABLE meter_reads (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    month    TEXT NOT NULL,
    read_at  DATETIME NOT NULL,
    PRIMARY KEY (user_id, month, story_id)
);

CREATE TABLE gifts (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    opens      INTEGER NOT NULL DEFAULT 0,
    revoked_at DATETIME
);
CREATE INDEX gifts_user ON gifts (user_id, created_at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
