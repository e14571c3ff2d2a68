-- extsvc schema, version 9 (PostgreSQL; see ../sqlite/009_read_cache.sql):
-- each entry kept as the API answers it, less its state, deleted by
-- triggers when anything it was made from changes; and a count of changes
-- to users, departments and tokens for the servers' token caches.
CREATE TABLE ledger_json (
    entry_id    BIGINT PRIMARY KEY REFERENCES ledger_entries(id),
    period_from TEXT NOT NULL,
    period_to   TEXT NOT NULL,
    retired_on  TEXT,
    body        TEXT NOT NULL
);

INSERT INTO meta(key, value) VALUES ('ledger_json_stale', '1')
ON CONFLICT(key) DO UPDATE SET value = '1';
INSERT INTO meta(key, value) VALUES ('cred_gen', '0') ON CONFLICT(key) DO NOTHING;

CREATE FUNCTION extsvc_json_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ledger_json WHERE entry_id IN (OLD.id, NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_json_entry AFTER UPDATE ON ledger_entries
FOR EACH ROW EXECUTE FUNCTION extsvc_json_entry();
CREATE FUNCTION extsvc_json_entry_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ledger_json WHERE entry_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_json_entry_gone AFTER DELETE ON ledger_entries
FOR EACH ROW EXECUTE FUNCTION extsvc_json_entry_gone();

CREATE FUNCTION extsvc_json_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM ledger_json WHERE entry_id = OLD.entry_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        DELETE FROM ledger_json WHERE entry_id = NEW.entry_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_json_version AFTER INSERT OR UPDATE OR DELETE ON ledger_versions
FOR EACH ROW EXECUTE FUNCTION extsvc_json_version();

CREATE FUNCTION extsvc_json_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ledger_json
    WHERE entry_id = (SELECT entry_id FROM ledger_versions WHERE request_id = NEW.request_id);
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_json_event AFTER INSERT ON request_events
FOR EACH ROW EXECUTE FUNCTION extsvc_json_event();

CREATE FUNCTION extsvc_json_user_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ledger_json
    WHERE entry_id IN (SELECT entry_id FROM ledger_versions WHERE recorded_by = NEW.id)
       OR entry_id IN (SELECT v.entry_id FROM ledger_versions v
                       JOIN request_events ev ON ev.request_id = v.request_id
                       WHERE ev.actor_id = NEW.id);
    UPDATE meta SET value = '1' WHERE key = 'ledger_json_stale';
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_json_user_name AFTER UPDATE OF name ON users
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION extsvc_json_user_name();

CREATE FUNCTION extsvc_json_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'departments' THEN
        DELETE FROM ledger_json WHERE entry_id IN (SELECT id FROM ledger_entries
                                                   WHERE department_id IN (NEW.id, OLD.id));
    ELSE
        DELETE FROM ledger_json WHERE entry_id IN (SELECT id FROM ledger_entries
                                                   WHERE service_id IN (NEW.id, OLD.id));
    END IF;
    UPDATE meta SET value = '1' WHERE key = 'ledger_json_stale';
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_json_department AFTER UPDATE ON departments
FOR EACH ROW EXECUTE FUNCTION extsvc_json_owner();
CREATE TRIGGER ledger_json_service AFTER UPDATE ON services
FOR EACH ROW EXECUTE FUNCTION extsvc_json_owner();

CREATE FUNCTION extsvc_cred_gen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'cred_gen';
    RETURN NULL;
END $$;
CREATE TRIGGER cred_gen_user AFTER UPDATE OR DELETE ON users
FOR EACH STATEMENT EXECUTE FUNCTION extsvc_cred_gen();
CREATE TRIGGER cred_gen_department AFTER UPDATE ON departments
FOR EACH STATEMENT EXECUTE FUNCTION extsvc_cred_gen();
CREATE TRIGGER cred_gen_token AFTER UPDATE OF user_id, token_hash, expires_at ON api_tokens
FOR EACH STATEMENT EXECUTE FUNCTION extsvc_cred_gen();
CREATE TRIGGER cred_gen_token_gone AFTER DELETE ON api_tokens
FOR EACH STATEMENT EXECUTE FUNCTION extsvc_cred_gen();
