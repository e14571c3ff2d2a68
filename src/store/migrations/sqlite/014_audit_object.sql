-- extsvc schema, version 14: the audit log by object (issue 9, a listing
-- that read the whole log): `audit list --object request:1` and
-- /audit?object= read this index's range of the prefix instead of the log
-- in seq order.
CREATE INDEX audit_log_object ON audit_log(object, seq);
