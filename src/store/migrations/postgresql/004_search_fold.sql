-- extsvc schema, version 4 (PostgreSQL; see ../sqlite/004_search_fold.sql):
-- the ledger's search text is folded (NFKC and case, core/fold.c). The
-- tables do not change; the store rebuilds ledger_search.text in C after
-- the last migration (store_reindex_search), and the trigram index follows
-- by itself. Nothing to do in SQL.

SELECT 1;
