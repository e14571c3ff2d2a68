-- extsvc schema, version 2: sign-in sessions of the web application and
-- the throttle of failed sign-ins. Kept in the database so that several
-- server processes can share them. Times are Unix seconds.

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,          -- SHA-256 of the cookie value
    user_id    INTEGER NOT NULL REFERENCES users(id),
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    address    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
    key          TEXT PRIMARY KEY,        -- "login:NAME" or "addr:IP"
    failures     INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    locked_until INTEGER NOT NULL DEFAULT 0
) STRICT;
