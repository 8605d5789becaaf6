/*
 * json: making any bytes safe inside a JSON string. Tools with --json print
 * names a process or a user chose (a command name, a file name), which may
 * hold quotes, backslashes, control bytes or invalid UTF-8.
 */
#ifndef SOCKLAB_JSON_H
#define SOCKLAB_JSON_H

#include <stddef.h>

/* Worst case: every byte becomes "\u00XX". */
#define JSON_ESCAPED_MAX(n) (6 * (n) + 1)

/* Escapes the C string in into out (always NUL-terminated when outlen > 0),
 * without the surrounding quotes: '"' and '\' get a backslash, control
 * bytes and bytes >= 0x80 become \u00XX (so the result is plain ASCII).
 * Returns the length of the result; stops early (whole escapes only) when
 * out is too small. */
size_t json_escape(const char *in, char *out, size_t outlen);

#endif
