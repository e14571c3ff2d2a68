-- extsvc schema, version 5: the standard's process to the letter.
--
-- 1. A request concluded in 事前協議 (5(2)①) waits in the new state
--    'consulted'. The CHECK on requests.state only grows, which SQLite allows
--    by editing the stored schema text (https://sqlite.org/lang_altertable.html,
--    "Making Other Kinds Of Table Schema Changes": relaxing a CHECK changes
--    no stored data). A table rebuild would need foreign keys off, which
--    cannot be done inside the migration's transaction.
-- 2. requests.rebased_from: the catalogue version the answers were first
--    given under, where the request was moved to a newer one (a draft moved
--    by its applicant, or a change of an entry approved under an old one).
-- 3. Each ledger version keeps, beside (ア)〜(キ), what the approver decided
--    on: the cloud provider and data location, personal information, the
--    procurement (職務権限規程の決裁, 業者決定), the individual conditions of
--    section 6 (a JSON array), and the approval (recorded_by/recorded_at).
-- 4. ledger_search knows the dates that decide an entry's state: 利用開始前
--    before period_from, 廃止予定 while a retirement's date is ahead.

PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''draft'', ''consulting'', ''submitted''',
                     '''draft'', ''consulting'', ''consulted'', ''submitted''')
 WHERE type = 'table' AND name = 'requests';
PRAGMA writable_schema = RESET;

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
UPDATE ledger_versions
   SET cloud_provider = coalesce((SELECT json_extract(r.document, '$.service.cloud_provider')
                                    FROM requests r WHERE r.id = ledger_versions.request_id), ''),
       data_location = coalesce((SELECT json_extract(r.document, '$.service.data_location')
                                   FROM requests r WHERE r.id = ledger_versions.request_id), ''),
       approval_ref = coalesce((SELECT json_extract(r.document, '$.procurement.approval_ref')
                                  FROM requests r WHERE r.id = ledger_versions.request_id), ''),
       approved_on = coalesce((SELECT json_extract(r.document, '$.procurement.approved_on')
                                 FROM requests r WHERE r.id = ledger_versions.request_id), ''),
       vendor_decided_on = coalesce((SELECT json_extract(r.document,
                                                         '$.procurement.vendor_decided_on')
                                       FROM requests r WHERE r.id = ledger_versions.request_id), ''),
       conditions = coalesce((SELECT json_extract(r.document, '$.conditions')
                                FROM requests r WHERE r.id = ledger_versions.request_id
                                 AND json_type(r.document, '$.conditions') = 'array'), '[]');

DROP INDEX ledger_search_period;
DROP INDEX ledger_search_retired;
ALTER TABLE ledger_search DROP COLUMN retired;
ALTER TABLE ledger_search ADD COLUMN period_from TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger_search ADD COLUMN retired_on TEXT;
UPDATE ledger_search
   SET period_from = (SELECT v.period_from FROM ledger_entries e JOIN ledger_versions v
                        ON v.entry_id = e.id AND v.version = e.version
                       WHERE e.id = ledger_search.entry_id),
       retired_on = (SELECT e.retired_on FROM ledger_entries e WHERE e.id = ledger_search.entry_id);

-- Entries no longer in use (retired, or past their period), found without a
-- scan when counting search matches that are still in use.
CREATE INDEX ledger_search_period ON ledger_search(period_to);
CREATE INDEX ledger_search_retired ON ledger_search(retired_on) WHERE retired_on IS NOT NULL;
