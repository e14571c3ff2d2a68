-- extsvc schema, version 7 (PostgreSQL; see ../sqlite/007_tokens.sql): API
-- tokens expire and say when they were last used.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_on TEXT;
UPDATE api_tokens SET expires_at = to_char((now() AT TIME ZONE 'UTC') + interval '90 days',
                                           'YYYY-MM-DD"T"HH24:MI:SS"Z"');
CREATE INDEX api_tokens_user ON api_tokens(user_id);
