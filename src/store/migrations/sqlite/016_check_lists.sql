-- extsvc schema, version 16: the same CHECKs, written as comparisons.
--
-- SQLite (3.40) checks `x IN ('a', 'b', 'c')` by building a temporary
-- b-tree of the list for every row written: requests.kind and .state and
-- ledger_versions.kind cost an import a sixth of its time. `x = 'a' OR ...`
-- accepts and refuses exactly the same values (NULL included: the columns
-- are NOT NULL anyway). As in 005, the stored schema text is edited
-- (https://sqlite.org/lang_altertable.html, "Making Other Kinds Of Table
-- Schema Changes"): an equivalent CHECK changes no stored data.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(replace(sql,
       'CHECK (kind IN (''new'', ''change'', ''retire''))',
       'CHECK (kind = ''new'' OR kind = ''change'' OR kind = ''retire'')'),
       'CHECK (state IN (''draft'', ''consulting'', ''consulted'', ''submitted'', ''approved'',
                                                 ''rejected'', ''returned'', ''withdrawn''))',
       'CHECK (state = ''draft'' OR state = ''consulting'' OR state = ''consulted'' OR
                                       state = ''submitted'' OR state = ''approved'' OR
                                       state = ''rejected'' OR state = ''returned'' OR
                                       state = ''withdrawn'')')
 WHERE type = 'table' AND name IN ('requests', 'ledger_versions');
PRAGMA writable_schema = RESET;
