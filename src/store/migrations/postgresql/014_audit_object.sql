-- extsvc schema, version 14 (PostgreSQL; see ../sqlite/014_audit_object.sql):
-- the audit log by object. The object's collation is "C" (bytes in order,
-- as SQLite compares), so that the range a prefix spans holds exactly the
-- objects that start with it whatever the database's locale.
ALTER TABLE audit_log ALTER COLUMN object TYPE TEXT COLLATE "C";
CREATE INDEX audit_log_object ON audit_log(object, seq);
