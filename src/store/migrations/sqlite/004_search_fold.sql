-- extsvc schema, version 4: the ledger's search text is folded (NFKC and
-- case, core/fold.c), on the stored text and on every query, so that ＢＯＸ,
-- Box and box find the same entries and ｶﾅ finds カナ.
--
-- The tables do not change; their contents do. SQL has no NFKC, so the
-- store rebuilds ledger_search.text and ledger_fts from the current version
-- of every entry in C (store_reindex_search), in the same transaction,
-- after the last migration has run (see SEARCH_TEXT_VERSION in store_schema.c).
-- Here the index of unfolded bigrams is emptied, so that a database that
-- somehow skipped the rebuild finds nothing rather than half of what it
-- should.

DELETE FROM ledger_fts;
