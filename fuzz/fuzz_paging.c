/* libFuzzer target: paging_parse on arbitrary query strings, with the
 * development limits and the widest the INI allows, and the 400 message of
 * whatever it refuses; the walk over the query's pairs under it. */
#include "fuzz.h"

#include "paging.h"
#include "params.h"

/* [pagination] bounds from config.c: max_limit 1..100000. */
static const long limits[][2] = {
	{ 5, 1000 }, /* default_limit, max_limit: the defaults */
	{ 1, 1 },
	{ 100000, 100000 },
};
#define LIMIT_COUNT (sizeof(limits) / sizeof(limits[0]))

static void check_one(const char *query, long default_limit, long max_limit)
{
	struct paging p;
	enum paging_error err;

	memset(&p, 0xA5, sizeof(p));
	err = paging_parse(query, default_limit, max_limit, &p);
	if (err != PAGING_OK) {
		char msg[256];

		FUZZ_CHECK(err == PAGING_BAD_PAGE || err == PAGING_BAD_LIMIT ||
		    err == PAGING_BAD_ORDER_BY || err == PAGING_BAD_ORDER_AT ||
		    err == PAGING_BAD_CURSOR ||
		    err == PAGING_CURSOR_WITH_PAGE ||
		    err == PAGING_CURSOR_MISMATCH);
		paging_error_message(err, max_limit, msg, sizeof(msg));
		FUZZ_CHECK(msg[0] != '\0');
		FUZZ_CHECK(strnlen(msg, sizeof(msg)) < sizeof(msg));
		return;
	}
	FUZZ_CHECK(p.page >= 0 && p.page <= 2147483647L);
	FUZZ_CHECK(p.limit >= 1 && p.limit <= max_limit);
	FUZZ_CHECK((int)p.order_by >= USER_ID &&
	    p.order_by < USER_COLUMN_COUNT);
	FUZZ_CHECK(p.descending == 0 || p.descending == 1);
	FUZZ_CHECK(paging_offset(&p) >= 0);
	FUZZ_CHECK(paging_offset(&p) == (long long)p.page * p.limit);
	/* A parameter that is not there, even encoded, keeps its default. */
	if (strchr(query, '%') == NULL && strstr(query, "page") == NULL)
		FUZZ_CHECK(p.page == 0);
	if (strchr(query, '%') == NULL && strstr(query, "limit") == NULL)
		FUZZ_CHECK(p.limit == default_limit);
}

/* params_query_next finds every non-empty '&'-separated pair, in order,
 * each split at its first '='. */
static void check_pairs(const char *query)
{
	const char *pos = query, *end = query + strlen(query);
	const char *last = query;
	struct params_pair pair;
	size_t bytes = 0, amps = 0;

	while (params_query_next(&pos, &pair)) {
		const char *eq = memchr(pair.raw, '=', pair.raw_len);

		FUZZ_CHECK(pair.raw >= last && pair.raw_len > 0);
		FUZZ_CHECK(pair.raw + pair.raw_len <= end);
		FUZZ_CHECK(memchr(pair.raw, '&', pair.raw_len) == NULL);
		FUZZ_CHECK(pair.raw + pair.raw_len == end ||
		    pair.raw[pair.raw_len] == '&');
		FUZZ_CHECK(pair.raw == query || pair.raw[-1] == '&');
		FUZZ_CHECK(eq == NULL
		        ? pair.value == NULL && pair.key_len == pair.raw_len
		        : pair.value == eq + 1 &&
		            pair.key_len == (size_t)(eq - pair.raw) &&
		            eq + 1 + pair.value_len == pair.raw + pair.raw_len);
		last = pair.raw + pair.raw_len;
		bytes += pair.raw_len;
	}
	/* What the pairs leave out is the '&'s and nothing else. */
	for (pos = query; *pos != '\0'; pos++)
		amps += *pos == '&';
	FUZZ_CHECK(bytes + amps == strlen(query));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *query = fuzz_cstring(data, size);
	struct paging a, b;
	size_t i;

	check_pairs(query);
	for (i = 0; i < LIMIT_COUNT; i++)
		check_one(query, limits[i][0], limits[i][1]);
	/* The same query always gets the same answer. */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	FUZZ_CHECK(paging_parse(query, 5, 1000, &a) ==
	    paging_parse(query, 5, 1000, &b));
	FUZZ_CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	free(query);
	return 0;
}
