/*
 * fold.h - text as a search compares it: Unicode NFKC with case folding
 * (NFKC_Casefold), so that what a person types finds what another wrote.
 * ＢＯＸ, Box and box fold alike; half-width ｶﾅ folds to カナ; full-width
 * digits to ASCII digits. Default-ignorable characters (soft hyphen,
 * zero-width space, variation selectors) are dropped.
 */
#ifndef EXTSVC_FOLD_H
#define EXTSVC_FOLD_H

/* The NFKC_Casefold form of the NUL-terminated UTF-8 string s: a new
 * string the caller frees, or NULL where s is not valid UTF-8 (or memory
 * runs out). The folded form may be longer or shorter than s, in bytes and
 * in characters (ﬀ folds to ff, ﾊﾟ to パ). */
char *text_fold(const char *s);

#endif
