/* The export's line formats (api-extensions.md section 7): one user as an
 * NDJSON line or a CSV record (RFC 4180, guarded against formula
 * injection), and the CSV header. Pure, unit-tested. */
#ifndef USERS_EXPORT_H
#define USERS_EXPORT_H

#include <stddef.h>

#include "user.h"

enum export_format { EXPORT_NDJSON, EXPORT_CSV };

/* Room for the longest CSV record: ten cells of a guard, 400 bytes each
 * doubled, two quotes, a comma; CRLF; NUL. */
#define EXPORT_LINE_MAX (USER_COLUMN_COUNT * (1 + 2 * USER_TEXT_MAX + 3) + 3)

/*
 * format= of the raw QUERY_STRING: absent is NDJSON; "ndjson" or "csv"
 * (as written); anything else, empty or repeated: -1.
 */
int export_format_parse(const char *query, enum export_format *out);

/* The CSV header: the names of mask's columns (bits 1u << column) in the
 * user object's order, comma-separated, CRLF. Returns its length, or -1
 * when size is too small. */
int export_csv_header(unsigned mask, char *out, size_t size);

/*
 * u's record of mask's columns, CRLF-ended. A text cell starting with =,
 * +, -, @, tab or CR gets a leading ' (so a spreadsheet does not run it);
 * a cell holding a comma, a quote, CR or LF is quoted, its quotes
 * doubled. Returns the length, or -1 when size is too small.
 */
int export_csv_record(const struct user *u, unsigned mask, char *out,
    size_t size);

#endif
