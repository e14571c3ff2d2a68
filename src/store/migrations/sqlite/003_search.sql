-- extsvc schema, version 3: a narrow table for searching the ledger. One
-- row per entry with the searchable text of its current version ((ア) name
-- and function, (イ) provider, (ウ) purpose, separated by U+001F) and the
-- columns the ledger filters on, so that a Japanese substring search over
-- 100,000 entries is one short scan. Kept by the store in the same
-- transaction as every change of an entry.
--
-- ledger_fts indexes the same text as bigram tokens (core/text.c,
-- text_bigrams), so that a substring of two or more characters is a phrase
-- query: 「翻訳」 over 100,000 entries without scanning them. The store fills
-- it for entries that exist when this migration runs.

CREATE TABLE ledger_search (
    entry_id        INTEGER PRIMARY KEY REFERENCES ledger_entries(id),
    text            TEXT NOT NULL,
    period_to       TEXT NOT NULL,
    retired         INTEGER NOT NULL CHECK (retired IN (0, 1)),
    department_id   INTEGER NOT NULL,
    confidentiality TEXT NOT NULL
) STRICT;

INSERT INTO ledger_search(entry_id, text, period_to, retired, department_id, confidentiality)
SELECT e.id,
       v.service_name || char(31) || v.service_function || char(31) || v.provider || char(31) ||
           v.purpose,
       v.period_to, e.retired_on IS NOT NULL, e.department_id, v.confidentiality
FROM ledger_entries e JOIN ledger_versions v ON v.entry_id = e.id AND v.version = e.version;

-- Entries no longer in use (retired, or past their period), found without a
-- scan when counting search matches that are still in use.
CREATE INDEX ledger_search_period ON ledger_search(period_to, retired);
CREATE INDEX ledger_search_retired ON ledger_search(retired) WHERE retired = 1;

CREATE VIRTUAL TABLE ledger_fts USING fts5(grams, tokenize = 'ascii', detail = full);
