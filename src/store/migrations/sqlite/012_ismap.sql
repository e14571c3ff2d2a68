-- extsvc schema, version 12: the ISMAP cloud service list (issue 10), as
-- the city last loaded it (extsvc ismap import replaces it whole; meta
-- ismap_loaded_on says when). A request's ISMAP registration number is
-- looked up here: absent, or registered only until before the use ends,
-- is a warning on the ISMAP requirement (別紙 項番1).
CREATE TABLE ismap_services (
    number        TEXT PRIMARY KEY,          -- 登録番号, as the list writes it
    service_name  TEXT NOT NULL,             -- サービス名称
    provider      TEXT NOT NULL,             -- 事業者名
    registered_on TEXT,                      -- 登録日 (YYYY-MM-DD)
    expires_on    TEXT                       -- 有効期限 (YYYY-MM-DD)
);
-- Each version keeps the registration number its request gave
-- (service.ismap), so that the registrations lapsing before an entry's
-- period ends are found through the list (extsvc remind).
ALTER TABLE ledger_versions ADD COLUMN ismap TEXT;
UPDATE ledger_versions
SET ismap = (SELECT NULLIF(json_extract(r.document, '$.service.ismap'), '')
             FROM requests r WHERE r.id = ledger_versions.request_id);
CREATE INDEX ledger_versions_ismap ON ledger_versions(ismap) WHERE ismap IS NOT NULL;
-- The retirements due soon, for extsvc remind and the dashboards.
CREATE INDEX ledger_search_retired_on ON ledger_search(retired_on) WHERE retired_on IS NOT NULL;
