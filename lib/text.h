/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small text helpers for reading /proc, /sys and the tree's data files.
 */
#ifndef KMT_TEXT_H
#define KMT_TEXT_H

#include <stdbool.h>

/* A whole file into a NUL-terminated malloc()ed buffer, or NULL (errno). */
char *read_file(const char *path);

/* The next line of *@p into [*start, *end); false at the end of the text. */
bool text_next_line(const char **p, const char **start, const char **end);

/* Whether @word is one of the blank-separated words of @list. */
bool text_has_word(const char *list, const char *word);

#endif
