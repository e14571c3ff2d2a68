/*
 * cli.h - what the command files share: option parsing, reading a document
 * from a file or standard input, printing JSON, reporting errors.
 */
#ifndef EXTSVC_CLI_H
#define EXTSVC_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../core/err.h"
#include "../store/store.h"

/* One option of a command: "--as" takes a value, "--json" does not. */
struct opt {
    const char *name;
    bool takes_value;
    const char *value; /* set by parse; "" for a flag that is present */
};

struct cmdline {
    const char *db_url; /* --db, $EXTSVC_DB or ./extsvc.db */
    int argc;           /* positional arguments after the command words */
    char **argv;
};

/* A command: words ("request", "new"), its handler, usage and help. */
struct command {
    const char *words; /* "request new" */
    int (*run)(const struct command *self, struct cmdline *cl, int argc, char **argv);
    const char *usage; /* "request new --as LOGIN [--carry-over] FILE|-" */
    const char *help;  /* Japanese, one paragraph */
};

/* Parse argv against opts (NULL-name terminated); positional arguments are
 * moved to the front of argv and counted in *npos. Returns false after
 * printing an error (exit 2). `--help` prints the command's help and
 * sets *help. */
bool parse_opts(const struct command *cmd, int argc, char **argv, struct opt *opts, int *npos,
                bool *help);
const char *opt_value(const struct opt *opts, const char *name);
bool opt_flag(const struct opt *opts, const char *name);

/* Read a file, or standard input for "-", of at most cap bytes (more:
 * X_TOOLARGE). *out is NUL-terminated; the caller frees it. */
enum xcode read_input(const char *path, size_t cap, char **out, size_t *n, struct xerr *e);

/* Print an error as "extsvc: message" and return the exit status. */
int fail(const struct xerr *e);
/* Print a usage error and return 2. */
int usage_error(const struct command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print a JSON document on stdout (indented, UTF-8) and release it. */
void print_json(json_t *j);

/* The start of every command: parse its options; -1 to go on, else the
 * exit status to return at once (0 after --help, 2 after a usage error). */
int start(const struct command *self, int argc, char **argv, struct opt *opts, int *npos);

/* A command's database and acting user (--as). */
struct ctx {
    struct db *db;
    struct user actor;
    bool have_actor;
};

/* Open the database and resolve the command's --as option, if it has one;
 * 0, or the exit status after printing the error. */
int open_ctx(struct cmdline *cl, const struct opt *opts, struct ctx *c, struct xerr *e);
/* Read the input file `path` (at most cap bytes; "-": standard input),
 * then open_ctx(): 0 with *text (the caller frees) and *c ready, or the
 * exit status after printing the error (nothing to free). */
int open_ctx_with_input(struct cmdline *cl, const struct opt *opts, const char *path, size_t cap,
                        char **text, size_t *n, struct ctx *c);
/* The acting user, or NULL for the operator without --as. */
const struct user *ctx_actor(const struct ctx *c);
void close_ctx(struct ctx *c);
/* Write n bytes to `path` whole or not at all (beside it, then renamed). */
enum xcode write_file(const char *path, const char *data, size_t n, struct xerr *e);
/* Parse a positive id. */
bool parse_id(const char *s, long long *out);
/* The date option `name` as people write it (ISO, 2026/4/1, 令和8年4月1日,
 * R8.4.1, …; core/wareki.h) as ISO in iso (11 bytes): -1 to go on (also
 * where the option is absent, leaving iso empty), else the exit status
 * after a usage error that says why (a day that does not exist). */
int opt_date(const struct command *cmd, const struct opt *opts, const char *name, char *iso);

/* Command groups. */
extern const struct command admin_commands[];
extern const struct command token_commands[];
extern const struct command request_commands[];
extern const struct command ledger_commands[];
extern const struct command import_commands[];
extern const struct command remind_commands[];
extern const struct command demo_commands[];
extern const struct command copy_commands[];

#endif
