-- extsvc schema, version 3 (PostgreSQL; see ../sqlite/003_search.sql): a
-- narrow table for searching the ledger, one row per entry with the
-- searchable text of its current version and the columns the ledger
-- filters on. Kept by the store in the same transaction as every change of
-- an entry.
--
-- Where SQLite indexes the text as bigrams in an FTS5 table (ledger_fts),
-- PostgreSQL indexes ledger_search.text itself with pg_trgm, and the store
-- searches it with LIKE '%...%' (db_bigram_fts() is false here).
--
-- pg_trgm is a trusted extension (PostgreSQL 13 and later): the database's
-- owner, or any role with CREATE on the database, creates it here; a
-- superuser may instead have created it once beforehand (then IF NOT EXISTS
-- asks for no privilege at all). Japanese text is indexed only where the
-- database's LC_CTYPE knows the characters as letters (C.UTF-8, ja_JP.UTF-8;
-- not C): elsewhere the search gives the same results, read without the
-- index.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE ledger_search (
    entry_id        BIGINT PRIMARY KEY REFERENCES ledger_entries(id),
    text            TEXT NOT NULL,
    period_to       TEXT NOT NULL,
    retired         INTEGER NOT NULL CHECK (retired IN (0, 1)),
    department_id   BIGINT NOT NULL,
    confidentiality TEXT NOT NULL
);

INSERT INTO ledger_search(entry_id, text, period_to, retired, department_id, confidentiality)
SELECT e.id,
       v.service_name || chr(31) || v.service_function || chr(31) || v.provider || chr(31) ||
           v.purpose,
       v.period_to, (e.retired_on IS NOT NULL)::integer, e.department_id, v.confidentiality
FROM ledger_entries e JOIN ledger_versions v ON v.entry_id = e.id AND v.version = e.version;

-- Entries no longer in use (retired, or past their period), found without a
-- scan when counting search matches that are still in use.
CREATE INDEX ledger_search_period ON ledger_search(period_to, retired);
CREATE INDEX ledger_search_retired ON ledger_search(retired) WHERE retired = 1;

CREATE INDEX ledger_search_text ON ledger_search USING gin (text gin_trgm_ops);
