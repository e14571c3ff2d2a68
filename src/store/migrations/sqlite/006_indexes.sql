-- extsvc schema, version 6: indexes for the listings that grow with the
-- ledger (found by tests/cli/test_query_plans.py, which fails on a full
-- scan where an index should serve).
--
-- The services list counts each service's entries and offers only those
-- in the ledger; without an index on ledger_entries.service_id each count
-- read the whole table (14.8 s for GET /api/v1/services at 20,000 entries).
CREATE INDEX ledger_entries_service ON ledger_entries(service_id);
-- ... and is ordered by name, a page at a time.
CREATE INDEX services_name ON services(name, function);
-- A manager sees their own department's requests, by state, a page at a time.
CREATE INDEX requests_department ON requests(department_id, state);
-- The overview counts entries by department and state: read from this
-- index alone, not from the rows with their long search text.
CREATE INDEX ledger_search_states ON ledger_search(department_id, period_to, period_from, retired_on, confidentiality);
