/*
 * text: making bytes safe to print on a terminal, on one line.
 *
 * A peer decides what it sends, a process what it calls itself, a user what
 * a file is called: escape sequences, NUL bytes, newlines, anything. Printed
 * raw, "\033]0;pwned\007" would retitle the learner's terminal, and a
 * newline would start a line that looks like the tool's own.
 *
 * text_escape() keeps printable ASCII and valid UTF-8 (so that a Chinese
 * file name stays readable), and writes everything else as an escape:
 *
 *   backslash  "\\"        newline  "\n"     tab  "\t"     CR  "\r"
 *   any other control byte, DEL, a C1 control (U+0080-U+009F, NEL among
 *   them), LINE SEPARATOR and PARAGRAPH SEPARATOR (U+2028, U+2029: a
 *   line-splitting reader such as Python's splitlines() ends a line at
 *   each) or a byte that is not part of valid UTF-8: "\xHH", byte by byte
 *
 * So one input gives one line of output, and the escapes can be undone.
 */
#ifndef SOCKLAB_TEXT_H
#define SOCKLAB_TEXT_H

#include <stddef.h>

/* Worst case: every byte becomes "\xHH". */
#define TEXT_ESCAPED_MAX(n) (4 * (n) + 1)

/* Escapes n bytes of in into out, always NUL-terminated when outlen > 0.
 * Returns the length of the result. When out is too small, the result is
 * cut between two escapes and ends with "..." (outlen >= 4). */
size_t text_escape(const char *in, size_t n, char *out, size_t outlen);

/* The length of the valid UTF-8 sequence at p (n bytes available) that
 * encodes a character a terminal prints: 1 for printable ASCII, 2-4 for a
 * character from U+00A0 on; 0 for anything else (a control, DEL, a C1
 * control, U+2028 or U+2029, an invalid or overlong sequence, a surrogate,
 * a cut sequence). */
size_t text_printable_len(const unsigned char *p, size_t n);

/* The length of the valid UTF-8 sequence at p, whatever it encodes (1 for
 * any ASCII byte), or 0 if the bytes there are not valid UTF-8. */
size_t text_utf8_len(const unsigned char *p, size_t n);

#endif
