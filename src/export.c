/* CSV records and the format= parameter of the export. */
#include "export.h"

#include <stdio.h>
#include <string.h>

#include "params.h"

/* Appends len bytes; -1 once out is full (NUL kept). */
static int put(char *out, size_t size, size_t *n, const char *s, size_t len)
{
	if (*n + len + 1 > size)
		return -1;
	memcpy(out + *n, s, len);
	*n += len;
	out[*n] = '\0';
	return 0;
}

int export_format_parse(const char *query, enum export_format *out)
{
	/* In enum export_format's order. */
	static const char *const names[] = { "ndjson", "csv" };
	int v,
	    rc = params_query_choice(query, "format", names, 2, EXPORT_NDJSON,
	        &v);

	*out = (enum export_format)v;
	return rc;
}

int export_csv_header(unsigned mask, char *out, size_t size)
{
	size_t n = 0;
	int c, first = 1, rc = 0;

	for (c = 0; c < USER_COLUMN_COUNT; c++) {
		const char *name = user_column_name((enum user_column)c);

		if (!(mask >> c & 1u))
			continue;
		if (!first)
			rc |= put(out, size, &n, ",", 1);
		rc |= put(out, size, &n, name, strlen(name));
		first = 0;
	}
	rc |= put(out, size, &n, "\r\n", 2);
	return rc != 0 ? -1 : (int)n;
}

/* One text cell: the guard, then quoted when it must be. */
static int text_cell(const char *s, char *out, size_t size, size_t *n)
{
	int guard = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	int rc = 0;
	size_t i;

	if (quote)
		rc |= put(out, size, n, "\"", 1);
	if (guard)
		rc |= put(out, size, n, "'", 1);
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '"')
			rc |= put(out, size, n, "\"", 1);
		rc |= put(out, size, n, s + i, 1);
	}
	if (quote)
		rc |= put(out, size, n, "\"", 1);
	return rc;
}

int export_csv_record(const struct user *u, unsigned mask, char *out,
    size_t size)
{
	char id[24];
	size_t n = 0;
	int c, first = 1, rc = 0;

	for (c = 0; c < USER_COLUMN_COUNT; c++) {
		if (!(mask >> c & 1u))
			continue;
		if (!first)
			rc |= put(out, size, &n, ",", 1);
		first = 0;
		if (c == USER_ID) {
			int len = snprintf(id, sizeof(id), "%ld", u->id);

			rc |= put(out, size, &n, id, (size_t)len);
		} else if (c == USER_CREATION_DATE) {
			rc |= put(out, size, &n, u->creation_date,
			    strlen(u->creation_date));
		} else if (c == USER_UPDATE_DATE) {
			rc |= put(out, size, &n, u->update_date,
			    strlen(u->update_date));
		} else {
			rc |= text_cell(user_text(u, c), out, size, &n);
		}
	}
	rc |= put(out, size, &n, "\r\n", 2);
	return rc != 0 ? -1 : (int)n;
}
