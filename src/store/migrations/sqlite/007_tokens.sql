-- extsvc schema, version 7: API tokens end (issue 9, finding 5). Each token
-- has an expiry (default 90 days from its making) and the day it was last
-- used; tokens made before this version get 90 days from the upgrade, so
-- that no integration stops the moment the program is updated.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_on TEXT;
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+90 days');
CREATE INDEX api_tokens_user ON api_tokens(user_id);
