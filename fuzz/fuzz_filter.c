/* libFuzzer target: filter_parse (and count=, fields=) on arbitrary query
 * strings; whatever it accepts keeps filter.h's promises, and the same
 * query always gets the same answer and digest. */
#include "fuzz.h"

#include "filter.h"
#include "listopts.h"
#include "utf8.h"

/* Every accepted term holds values the DAO can bind as filter.h says. */
static void check_term(const struct filter_set *fs, const struct filter_term *t)
{
	int v;

	FUZZ_CHECK((int)t->column >= USER_ID && t->column < USER_COLUMN_COUNT);
	FUZZ_CHECK((unsigned)t->op < FILTER_OP_COUNT);
	FUZZ_CHECK(t->count >= 1 && t->count <= FILTER_IN_MAX);
	FUZZ_CHECK(t->op == FILTER_IN || t->count == 1 ||
	    (t->count == 2 && t->op == FILTER_EQ &&
	        user_is_date_column(t->column)));
	for (v = 0; v < t->count; v++) {
		const char *s = t->value[v];

		FUZZ_CHECK(s >= fs->arena &&
		    s + t->len[v] < fs->arena + fs->used);
		FUZZ_CHECK(strlen(s) == t->len[v] && t->len[v] > 0);
		if (t->column == USER_ID)
			FUZZ_CHECK(t->num[v] >= 1 && t->num[v] <= 2147483647L);
		else if (user_is_date_column(t->column))
			FUZZ_CHECK(t->len[v] == 19 && s[10] == ' ');
		else
			FUZZ_CHECK(utf8_valid(s, t->len[v]) &&
			    utf8_length(s, t->len[v]) <=
			        FILTER_VALUE_MAX_CHARS);
	}
	if (user_is_date_column(t->column))
		FUZZ_CHECK(t->op == FILTER_EQ || t->op >= FILTER_GT);
	else if (t->column == USER_ID)
		FUZZ_CHECK(t->op != FILTER_CO && t->op != FILTER_SW &&
		    t->op != FILTER_EW);
	else
		FUZZ_CHECK(t->op <= FILTER_IN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct filter_set a, b;
	char *query = fuzz_cstring(data, size);
	enum filter_error ea, eb;
	enum listopts_count n;
	unsigned m;

	ea = filter_parse(query, &a);
	eb = filter_parse(query, &b);
	FUZZ_CHECK(ea == eb);
	FUZZ_CHECK(ea == FILTER_OK || ea == FILTER_BAD_FIELD ||
	    ea == FILTER_BAD_OPERATOR || ea == FILTER_BAD_VALUE);
	if (ea == FILTER_OK) {
		FUZZ_CHECK(a.count >= 0 && a.count <= FILTER_MAX);
		FUZZ_CHECK(a.used <= sizeof(a.arena));
		for (int i = 0; i < a.count; i++)
			check_term(&a, &a.term[i]);
		for (int i = 1; i < a.count; i++)
			FUZZ_CHECK(a.term[i - 1].column <= a.term[i].column);
		FUZZ_CHECK(filter_digest(&a) == filter_digest(&b));
		FUZZ_CHECK((filter_digest(&a) == 0) == (a.count == 0));
		/* No filter key, no filter. */
		if (strstr(query, "filter") == NULL &&
		    strchr(query, '%') == NULL)
			FUZZ_CHECK(a.count == 0);
	} else {
		FUZZ_CHECK(answer_status(filter_error_answer(ea)) == 400);
	}
	if (listopts_count(query, &n) == 0)
		FUZZ_CHECK(n == LISTOPTS_COUNT_NONE ||
		    n == LISTOPTS_COUNT_EXACT || n == LISTOPTS_COUNT_ESTIMATED);
	if (listopts_fields(query, 0x3f, &m) == 0)
		FUZZ_CHECK(m != 0 && (m & ~0x3fu) == 0);
	free(query);
	return 0;
}
