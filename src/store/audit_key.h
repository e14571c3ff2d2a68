/*
 * audit_key.h - the key of the audit chain: 32 random bytes in a file kept
 * outside the database (mode 0600), so that someone who can write to the
 * database cannot recompute the chain (audit.h).
 *
 * Where the file is: the path set for the database by
 * audit_key_configure_for() (copy --to-audit-key), else by audit_key_configure() (the CLI's
 * --audit-key, serve's [audit] key_file), else $EXTSVC_AUDIT_KEY, else,
 * for a SQLite database, "<database>-audit.key" beside it. A PostgreSQL
 * database has no default: the key must not live where the database does.
 *
 * The file holds the key as 64 hexadecimal digits and a newline. It is
 * read once per process and path; a file that others may read, or that
 * holds anything else, is refused when the database is opened. A missing
 * file is not an error until something needs the key (a writer, verify):
 * reading the ledger does not.
 */
#ifndef EXTSVC_AUDIT_KEY_H
#define EXTSVC_AUDIT_KEY_H

#include <stdbool.h>

#include "../core/err.h"

#define AUDIT_KEY_BYTES 32

struct audit_key {
    char path[4096]; /* "" where none is configured (PostgreSQL without a setting) */
    bool present;
    unsigned char key[AUDIT_KEY_BYTES];
    char id[17]; /* a public fingerprint of the key (16 hex digits), "" if absent */
};

/* Use this file for every database opened from now on (NULL: the default). */
void audit_key_configure(const char *path);
/* Use this file for the database at url alone (copy's target), before any
 * other setting. */
void audit_key_configure_for(const char *url, const char *path);

/* The key for the database at url (see above), loaded once; *out stays
 * valid for the life of the process. Fails on a file others can read or
 * one that is not a key; a missing file gives present = false. */
enum xcode audit_key_for(const char *url, const struct audit_key **out, struct xerr *e);

/* Make the key file (0600, whatever the umask) with a new random key, or,
 * with `from`, with that key, unless it is there already: then it is
 * read and left alone. Atomic: a concurrent creator's key wins and both
 * use it. */
enum xcode audit_key_create(const struct audit_key *k, const struct audit_key *from,
                            struct xerr *e);

/* The error for a key that is needed and missing, naming where it was
 * looked for and how to set it. */
enum xcode audit_key_missing(const struct audit_key *k, struct xerr *e);

#endif
