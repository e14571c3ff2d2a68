-- extsvc schema, version 6 (PostgreSQL; see ../sqlite/006_indexes.sql):
-- indexes for the listings that grow with the ledger.
CREATE INDEX ledger_entries_service ON ledger_entries(service_id);
CREATE INDEX services_name ON services(name, function);
CREATE INDEX requests_department ON requests(department_id, state);
-- The overview counts entries by department and state: read from this
-- index alone, not from the rows with their long search text.
CREATE INDEX ledger_search_states ON ledger_search(department_id, period_to, period_from, retired_on, confidentiality);
