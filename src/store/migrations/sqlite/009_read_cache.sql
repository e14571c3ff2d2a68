-- extsvc schema, version 9: what an entry read needs, kept ready (issue 9,
-- entry read speed).
--
-- 1. ledger_json keeps each entry as the API answers it (its versions and
--    their 事前協議 included), less the state, which depends on the day and
--    is decided at read time from the dates kept beside it. The program writes a row
--    when an approval changes the entry; these triggers delete a row the
--    moment anything it was made from changes, so a row is either current
--    or missing (a missing one is read the long way and made again).
-- 2. meta 'cred_gen' counts changes to users, departments and API tokens: a
--    server keeps the tokens it has checked while the count stays the same,
--    in every process, however the change was made.
CREATE TABLE ledger_json (
    entry_id    INTEGER PRIMARY KEY REFERENCES ledger_entries(id),
    period_from TEXT NOT NULL,               -- what decides the state on a day
    period_to   TEXT NOT NULL,
    retired_on  TEXT,
    body        TEXT NOT NULL
) STRICT;

INSERT INTO meta(key, value) VALUES ('ledger_json_stale', '1')
ON CONFLICT(key) DO UPDATE SET value = '1';
INSERT INTO meta(key, value) VALUES ('cred_gen', '0') ON CONFLICT(key) DO NOTHING;

CREATE TRIGGER ledger_json_entry AFTER UPDATE ON ledger_entries
BEGIN DELETE FROM ledger_json WHERE entry_id = NEW.id OR entry_id = OLD.id; END;
CREATE TRIGGER ledger_json_entry_gone AFTER DELETE ON ledger_entries
BEGIN DELETE FROM ledger_json WHERE entry_id = OLD.id; END;
CREATE TRIGGER ledger_json_version_new AFTER INSERT ON ledger_versions
BEGIN DELETE FROM ledger_json WHERE entry_id = NEW.entry_id; END;
CREATE TRIGGER ledger_json_version AFTER UPDATE ON ledger_versions
BEGIN DELETE FROM ledger_json WHERE entry_id = NEW.entry_id OR entry_id = OLD.entry_id; END;
CREATE TRIGGER ledger_json_version_gone AFTER DELETE ON ledger_versions
BEGIN DELETE FROM ledger_json WHERE entry_id = OLD.entry_id; END;
-- The 事前協議 of the request that made a version.
CREATE TRIGGER ledger_json_event AFTER INSERT ON request_events
BEGIN
    DELETE FROM ledger_json
    WHERE entry_id = (SELECT entry_id FROM ledger_versions WHERE request_id = NEW.request_id);
END;
-- Names shown in an entry (who recorded, approved, concluded), its
-- department and its service's category: rare changes, many rows.
CREATE TRIGGER ledger_json_user_name AFTER UPDATE OF name ON users
WHEN OLD.name IS NOT NEW.name
BEGIN
    DELETE FROM ledger_json
    WHERE entry_id IN (SELECT entry_id FROM ledger_versions WHERE recorded_by = NEW.id)
       OR entry_id IN (SELECT v.entry_id FROM ledger_versions v
                       JOIN request_events ev ON ev.request_id = v.request_id
                       WHERE ev.actor_id = NEW.id);
    UPDATE meta SET value = '1' WHERE key = 'ledger_json_stale';
END;
CREATE TRIGGER ledger_json_department AFTER UPDATE ON departments
BEGIN
    DELETE FROM ledger_json WHERE entry_id IN (SELECT id FROM ledger_entries
                                               WHERE department_id = NEW.id OR department_id = OLD.id);
    UPDATE meta SET value = '1' WHERE key = 'ledger_json_stale';
END;
CREATE TRIGGER ledger_json_service AFTER UPDATE ON services
BEGIN
    DELETE FROM ledger_json WHERE entry_id IN (SELECT id FROM ledger_entries
                                               WHERE service_id = NEW.id OR service_id = OLD.id);
    UPDATE meta SET value = '1' WHERE key = 'ledger_json_stale';
END;

CREATE TRIGGER cred_gen_user AFTER UPDATE ON users
BEGIN UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'cred_gen'; END;
CREATE TRIGGER cred_gen_user_gone AFTER DELETE ON users
BEGIN UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'cred_gen'; END;
CREATE TRIGGER cred_gen_department AFTER UPDATE ON departments
BEGIN UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'cred_gen'; END;
CREATE TRIGGER cred_gen_token AFTER UPDATE OF user_id, token_hash, expires_at ON api_tokens
BEGIN UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'cred_gen'; END;
CREATE TRIGGER cred_gen_token_gone AFTER DELETE ON api_tokens
BEGIN UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'cred_gen'; END;
