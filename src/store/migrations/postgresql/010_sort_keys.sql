-- extsvc schema, version 10 (PostgreSQL; see ../sqlite/010_sort_keys.sql):
-- the ledger sorted by name or by its last change through an index.
ALTER TABLE ledger_search ADD COLUMN service_name TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_search ADD COLUMN service_function TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_search ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
UPDATE ledger_search x
SET service_name = v.service_name, service_function = v.service_function, updated_at = e.updated_at
FROM ledger_entries e JOIN ledger_versions v ON v.entry_id = e.id AND v.version = e.version
WHERE e.id = x.entry_id;
CREATE INDEX ledger_search_name ON ledger_search(service_name, service_function, entry_id);
CREATE INDEX ledger_search_updated ON ledger_search(updated_at, entry_id);
