-- extsvc schema, version 1 (SQLite). Every table is STRICT.
-- Times are UTC ISO 8601 text ("2026-11-25T09:00:00Z"), dates "YYYY-MM-DD".

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE departments (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    roles         TEXT NOT NULL,            -- "manager,approver"
    password_hash TEXT,                     -- Argon2id (libsodium), NULL: cannot sign in
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
) STRICT;

-- Versions of the catalogue (別紙, 1(4), 格付). The body is the catalogue
-- document itself; exactly one version is in force.
CREATE TABLE catalogues (
    seq       INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    title     TEXT NOT NULL,
    effective TEXT NOT NULL,
    body      TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by INTEGER REFERENCES users(id),
    in_force  INTEGER NOT NULL DEFAULT 0 CHECK (in_force IN (0, 1))
) STRICT;
CREATE UNIQUE INDEX catalogues_one_in_force ON catalogues(in_force) WHERE in_force = 1;

CREATE TABLE providers (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE services (
    id          INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES providers(id),
    name        TEXT NOT NULL,
    function    TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL DEFAULT 'other',
    UNIQUE (provider_id, name, function)
) STRICT;

CREATE TABLE ledger_entries (
    id            INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    service_id    INTEGER NOT NULL REFERENCES services(id),
    version       INTEGER NOT NULL,          -- current version
    retired_on    TEXT,                      -- set by an approved retirement
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

CREATE TABLE requests (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('new', 'change', 'retire')),
    state         TEXT NOT NULL CHECK (state IN ('draft', 'consulting', 'submitted', 'approved',
                                                 'rejected', 'returned', 'withdrawn')),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    service_id    INTEGER REFERENCES services(id),
    entry_id      INTEGER REFERENCES ledger_entries(id),
    catalogue_id  TEXT NOT NULL REFERENCES catalogues(id),
    document      TEXT NOT NULL,
    evaluation    TEXT NOT NULL,
    approvable    INTEGER NOT NULL CHECK (approvable IN (0, 1)),
    change_to     TEXT,                      -- change: new end date
    retire_on     TEXT,                      -- retire: date of retirement
    created_by    INTEGER NOT NULL REFERENCES users(id),
    submitted_by  INTEGER REFERENCES users(id),
    decided_by    INTEGER REFERENCES users(id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    decided_at    TEXT
) STRICT;
CREATE INDEX requests_state ON requests(state);
CREATE INDEX requests_service ON requests(service_id, state);

CREATE TABLE request_events (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id),
    at         TEXT NOT NULL,
    actor_id   INTEGER NOT NULL REFERENCES users(id),
    action     TEXT NOT NULL,                -- create, update, consult, submit, ...
    from_state TEXT,
    to_state   TEXT NOT NULL,
    comment    TEXT
) STRICT;
CREATE INDEX request_events_request ON request_events(request_id, id);

-- One row per version of a ledger entry: fields (ア)〜(キ) as approved.
CREATE TABLE ledger_versions (
    entry_id             INTEGER NOT NULL REFERENCES ledger_entries(id),
    version              INTEGER NOT NULL,
    request_id           INTEGER NOT NULL UNIQUE REFERENCES requests(id),
    kind                 TEXT NOT NULL CHECK (kind IN ('new', 'change', 'retire')),
    service_name         TEXT NOT NULL,      -- (ア)
    service_function     TEXT NOT NULL,      -- (ア) 機能名
    provider             TEXT NOT NULL,      -- (イ)
    purpose              TEXT NOT NULL,      -- (ウ)
    confidentiality      TEXT NOT NULL,      -- (エ)
    integrity            TEXT NOT NULL,
    availability         TEXT NOT NULL,
    period_from          TEXT NOT NULL,      -- (オ)
    period_to            TEXT NOT NULL,
    applicant_department TEXT NOT NULL,      -- (カ)
    applicant_name       TEXT NOT NULL,
    scope                TEXT NOT NULL,      -- (キ)
    catalogue_id         TEXT NOT NULL,
    recorded_at          TEXT NOT NULL,
    recorded_by          INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (entry_id, version)
) STRICT;

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,         -- SHA-256 of the token
    created_at TEXT NOT NULL
) STRICT;

-- The audit log: append-only, hash-chained. hash = SHA-256 over the
-- record's content and prev_hash (see store/audit.c).
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    before    TEXT,
    after     TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
