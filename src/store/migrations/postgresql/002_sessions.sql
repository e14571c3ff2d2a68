-- extsvc schema, version 2 (PostgreSQL; see ../sqlite/002_sessions.sql):
-- sign-in sessions of the web application and the throttle of failed
-- sign-ins. Kept in the database so that several server processes can
-- share them. Times are Unix seconds.

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,          -- SHA-256 of the cookie value
    user_id    BIGINT NOT NULL REFERENCES users(id),
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    address    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
    key          TEXT PRIMARY KEY,        -- "login:NAME" or "addr:IP"
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0
);
