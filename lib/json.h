/*
 * json: writing strings for --json. Tools print names that a process or a
 * user chose (a command name, a file name), which may hold quotes,
 * backslashes, control bytes or bytes that are not UTF-8.
 *
 * JSON text is UTF-8, so valid UTF-8 passes through unchanged ("héllo" stays
 * "héllo"). '"' and '\' get a backslash; control characters are written
 * \n, \r, \t, \b, \f or \u00XX. A byte that is not part of valid UTF-8
 * (0xXX, always >= 0x80) is written "\udcXX": a lone low surrogate, the
 * convention of Python's "surrogateescape" error handler. No character is
 * encoded that way, so nothing is lost: a reader gets the bytes back with
 *   json.loads(text).encode("utf-8", "surrogateescape")
 * and os.fsencode() does the same for a file name.
 */
#ifndef SOCKLAB_JSON_H
#define SOCKLAB_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Worst case: every byte becomes "\udcXX" or "\u00XX". */
#define JSON_ESCAPED_MAX(n) (6 * (n) + 1)

/* Escapes the C string in into out (always NUL-terminated when outlen > 0),
 * without the surrounding quotes. Returns the length of the result; stops
 * early (between two escapes) when out is too small. */
size_t json_escape(const char *in, char *out, size_t outlen);

/* Prints the C string s to f as a JSON string, quotes included. */
void json_string(FILE *f, const char *s);

#endif
