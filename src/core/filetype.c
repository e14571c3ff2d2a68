/*
 * filetype.c - an evidence file's type, by name and content; see
 * filetype.h.
 */
#include "filetype.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum magic { M_PDF, M_PNG, M_JPEG, M_GIF, M_ZIP, M_OLE };

static const struct {
    const char *ext, *type;
    enum magic magic;
} kinds[] = {
    {"pdf", "application/pdf", M_PDF},
    {"png", "image/png", M_PNG},
    {"jpg", "image/jpeg", M_JPEG},
    {"jpeg", "image/jpeg", M_JPEG},
    {"gif", "image/gif", M_GIF},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", M_ZIP},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", M_ZIP},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", M_ZIP},
    {"doc", "application/msword", M_OLE},
    {"xls", "application/vnd.ms-excel", M_OLE},
    {"ppt", "application/vnd.ms-powerpoint", M_OLE},
};

static bool starts(const unsigned char *d, size_t n, const char *sig, size_t len)
{
    return n >= len && memcmp(d, sig, len) == 0;
}

static bool has_magic(enum magic m, const unsigned char *d, size_t n)
{
    switch (m) {
    case M_PDF:
        return starts(d, n, "%PDF-", 5);
    case M_PNG:
        return starts(d, n, "\x89PNG\r\n\x1a\n", 8);
    case M_JPEG:
        return starts(d, n, "\xFF\xD8\xFF", 3);
    case M_GIF:
        return starts(d, n, "GIF87a", 6) || starts(d, n, "GIF89a", 6);
    case M_ZIP:
        return starts(d, n, "PK\x03\x04", 4);
    case M_OLE:
        return starts(d, n, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
    }
    return false;
}

const char *filetype_check(const char *name, const unsigned char *data, size_t n, char *why,
                           size_t nWhy)
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (!dot || !dot[1]) {
        snprintf(why, nWhy,
                 "ファイル名に拡張子がありません（PDF、画像、Office の文書を添付できます）");
        return NULL;
    }
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcasecmp(dot + 1, kinds[i].ext) != 0)
            continue;
        if (!has_magic(kinds[i].magic, data, n)) {
            snprintf(why, nWhy, "ファイルの中身が拡張子（.%s）の形式ではありません", kinds[i].ext);
            return NULL;
        }
        return kinds[i].type;
    }
    snprintf(why, nWhy, "%s",
             "この種類のファイルは添付できません（PDF、PNG・JPEG・GIF の画像、Word・Excel・"
             "PowerPoint の文書）");
    return NULL;
}
