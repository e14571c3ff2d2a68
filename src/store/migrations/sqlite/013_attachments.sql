-- extsvc schema, version 13: evidence files on a request (issue 10): the
-- deletion certificate of 別紙 item 15, an ISMAP registration, the terms of
-- use. Listed on the request and on the entry its approval made; the bytes
-- apart (base64, so that both databases hold them as text and a listing
-- never reads them), with their SHA-256.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES requests(id),
    item         INTEGER,                    -- the requirement it is evidence for, or NULL
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,              -- checked against the content
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,              -- hex
    note         TEXT NOT NULL DEFAULT '',
    uploaded_by  INTEGER NOT NULL REFERENCES users(id),
    uploaded_at  TEXT NOT NULL
) STRICT;
CREATE INDEX attachments_request ON attachments(request_id, id);
CREATE TABLE attachment_data (
    attachment_id INTEGER PRIMARY KEY REFERENCES attachments(id),
    content       TEXT NOT NULL              -- base64
) STRICT;
