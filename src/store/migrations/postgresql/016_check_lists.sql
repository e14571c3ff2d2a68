-- extsvc schema, version 16 (PostgreSQL; see ../sqlite/016_check_lists.sql):
-- nothing to change. PostgreSQL checks an IN list without building a table.
SELECT 1;
