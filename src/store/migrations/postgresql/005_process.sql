-- extsvc schema, version 5 (PostgreSQL; see ../sqlite/005_process.sql for
-- what each change is for): the state 'consulted', requests.rebased_from,
-- the details each ledger version keeps, and the dates in ledger_search
-- that decide an entry's state.

ALTER TABLE requests DROP CONSTRAINT requests_state_check;
ALTER TABLE requests ADD CONSTRAINT requests_state_check
    CHECK (state IN ('draft', 'consulting', 'consulted', 'submitted', 'approved', 'rejected',
                     'returned', 'withdrawn'));

ALTER TABLE requests ADD COLUMN rebased_from TEXT;

ALTER TABLE ledger_versions ADD COLUMN cloud_provider TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_versions ADD COLUMN data_location TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_versions ADD COLUMN personal_information INTEGER
    CHECK (personal_information IN (0, 1));
ALTER TABLE ledger_versions ADD COLUMN approval_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_versions ADD COLUMN approved_on TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_versions ADD COLUMN vendor_decided_on TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_versions ADD COLUMN conditions TEXT NOT NULL DEFAULT '[]';

-- What earlier versions recorded only in their request's document.
UPDATE ledger_versions v
   SET cloud_provider = coalesce(r.document::json #>> '{service,cloud_provider}', ''),
       data_location = coalesce(r.document::json #>> '{service,data_location}', ''),
       approval_ref = coalesce(r.document::json #>> '{procurement,approval_ref}', ''),
       approved_on = coalesce(r.document::json #>> '{procurement,approved_on}', ''),
       vendor_decided_on = coalesce(r.document::json #>> '{procurement,vendor_decided_on}', ''),
       conditions = CASE WHEN json_typeof(r.document::json -> 'conditions') = 'array'
                         THEN (r.document::json -> 'conditions')::text ELSE '[]' END
  FROM requests r
 WHERE r.id = v.request_id;

DROP INDEX ledger_search_period;
DROP INDEX ledger_search_retired;
ALTER TABLE ledger_search DROP COLUMN retired;
ALTER TABLE ledger_search ADD COLUMN period_from TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_search ADD COLUMN retired_on TEXT;
UPDATE ledger_search x
   SET period_from = v.period_from, retired_on = e.retired_on
  FROM ledger_entries e JOIN ledger_versions v ON v.entry_id = e.id AND v.version = e.version
 WHERE e.id = x.entry_id;

-- Entries no longer in use (retired, or past their period), found without a
-- scan when counting search matches that are still in use.
CREATE INDEX ledger_search_period ON ledger_search(period_to);
CREATE INDEX ledger_search_retired ON ledger_search(retired_on) WHERE retired_on IS NOT NULL;
