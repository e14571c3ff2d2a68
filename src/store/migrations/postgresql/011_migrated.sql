-- extsvc schema, version 11: entries brought in from a city's old ledger
-- (extsvc ledger import, issue 10) say so: where each came from ("旧台帳
-- ledger.csv 12 行目（台帳番号 A-103）"), NULL for an entry approved here.
ALTER TABLE ledger_entries ADD COLUMN migrated_from TEXT;
