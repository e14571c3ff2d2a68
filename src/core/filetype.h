/*
 * filetype.h - what an evidence file is (an attachment on a request): its
 * type from its name's extension, checked against its first bytes. PDF,
 * images (PNG, JPEG, GIF) and Office documents (Word, Excel, PowerPoint;
 * both the zip-based and the old binary formats) are kept; anything else,
 * HTML and scripts above all, is refused, and so is a file whose content
 * is not what its name says.
 */
#ifndef EXTSVC_FILETYPE_H
#define EXTSVC_FILETYPE_H

#include <stddef.h>

/* The MIME type of the file `name` with content `data` (n bytes), or NULL
 * with the reason in Japanese in why (nWhy bytes). */
const char *filetype_check(const char *name, const unsigned char *data, size_t n, char *why,
                           size_t nWhy);

#endif
