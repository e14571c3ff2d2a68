-- extsvc schema, version 8: the audit log filtered by actor or by action
-- (issue 9, finding 1) is read through an index in seq order instead of
-- from its first record (285 ms at 100,000 entries, growing with the log).
CREATE INDEX audit_log_actor ON audit_log(actor, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);
