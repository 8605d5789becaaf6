/*
 * text: making bytes from the network safe to print.
 *
 * A client decides what it sends: escape sequences, NUL bytes, anything. Printed
 * raw, "\033]0;pwned\007" would retitle the learner's terminal. text_escape()
 * keeps newlines and tabs, drops the '\r' of a CRLF line ending, writes a
 * backslash as "\\" and every other control or non-ASCII byte as "\xHH".
 */
#ifndef SOCKLAB_TEXT_H
#define SOCKLAB_TEXT_H

#include <stddef.h>

/* Worst case: every byte becomes "\xHH". */
#define TEXT_ESCAPED_MAX(n) (4 * (n) + 1)

/* Escapes n bytes of in into out (always NUL-terminated when outlen > 0).
 * Returns the length of the result; stops early (whole escapes only) when
 * out is too small. */
size_t text_escape(const char *in, size_t n, char *out, size_t outlen);

#endif
