-- extsvc schema, version 15: an evaluation kept once where many requests
-- share it. The rows of an old ledger all lack the same answers, so their
-- evaluations are one of a few texts of about 2.7 KB: an imported request
-- refers to its text (evaluation_id, evaluation then '') instead of holding
-- a copy, which made a 100,000-row import write 270 MB of copies. Requests
-- made in the program keep their own evaluation, as before.
CREATE TABLE evaluation_texts (
    id     INTEGER PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,      -- SHA-256 of body, hex
    body   TEXT NOT NULL
) STRICT;
ALTER TABLE requests ADD COLUMN evaluation_id INTEGER REFERENCES evaluation_texts(id);
