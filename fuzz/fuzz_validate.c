/* libFuzzer target: validate_user_body on arbitrary bytes, as add-user and
 * as update-user, with the 400 message cut to several buffer sizes. */
#include "fuzz.h"

#include "http.h"
#include "log.h"
#include "utf8.h"
#include "validate.h"

#define MSG_PREFIX \
	"Bad request, check request attributes. Missing or incorrect. CHECK: "
#define FULL_MSG 1024 /* what handlers_write.c gives it */

/* api.md's limits in characters, nickname .. country_id. */
static const size_t field_min[USER_TEXT_COUNT] = { 4, 1, 1, 6, 2, 6, 2 };
static const size_t field_max[USER_TEXT_COUNT] = { 50, 50, 50, 100, 15, 20, 5 };

/* No C0 control, DEL or C1 control (U+0080..U+009F is C2 80..C2 9F). */
static int has_control(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7F)
			return 1;
		if (s[i] == 0xC2 && i + 1 < len && s[i + 1] <= 0x9F)
			return 1;
	}
	return 0;
}

/* What an accepted body promises about every field it filled. */
static void check_accepted(const struct user_fields *f, enum validate_mode mode)
{
	const unsigned present_mask =
	    ((1u << (USER_TEXT_LAST + 1)) - 1) & ~((1u << USER_TEXT_FIRST) - 1);
	int c;

	FUZZ_CHECK(f->present != 0);
	FUZZ_CHECK((f->present & ~present_mask) == 0);
	if (mode == VALIDATE_ADD)
		FUZZ_CHECK(f->present == present_mask);
	for (c = USER_TEXT_FIRST; c <= USER_TEXT_LAST; c++) {
		const char *t = f->text[c - USER_TEXT_FIRST];
		size_t len = strnlen(t, USER_TEXT_MAX), chars;

		FUZZ_CHECK(len < USER_TEXT_MAX);
		if (!user_fields_has(f, c)) {
			FUZZ_CHECK(len == 0);
			continue;
		}
		FUZZ_CHECK(utf8_valid(t, len));
		FUZZ_CHECK(!has_control((const unsigned char *)t, len));
		FUZZ_CHECK(t[0] != ' ' && t[len - 1] != ' ');
		chars = utf8_length(t, len);
		FUZZ_CHECK(chars >= field_min[c - USER_TEXT_FIRST]);
		FUZZ_CHECK(chars <= field_max[c - USER_TEXT_FIRST]);
		if (c == USER_EMAIL)
			FUZZ_CHECK(strchr(t, '@') != NULL);
	}
}

/* What a refused body promises: nothing filled in, and a message that is
 * a prefix-led, NUL-terminated, valid UTF-8 string inside its buffer. */
static void check_refused(const struct user_fields *f, const char *msg,
    size_t msglen)
{
	static const struct user_fields zero;
	size_t len, plen = strlen(MSG_PREFIX);

	FUZZ_CHECK(memcmp(f, &zero, sizeof(zero)) == 0);
	if (msglen == 0)
		return;
	len = strnlen(msg, msglen);
	FUZZ_CHECK(len < msglen);
	FUZZ_CHECK(utf8_valid(msg, len));
	FUZZ_CHECK(strncmp(msg, MSG_PREFIX, len < plen ? len : plen) == 0);
	if (msglen > plen + 1)
		FUZZ_CHECK(len > plen);
}

/* One call with a message buffer of exactly msglen bytes. */
static int run(const char *body, size_t size, enum validate_mode mode,
    size_t msglen, struct user_fields *f)
{
	char *msg = malloc(msglen > 0 ? msglen : 1);
	int ret;

	if (msg == NULL)
		abort();
	ret = validate_user_body(body, size, mode, f, msg, msglen);
	FUZZ_CHECK(ret == 0 || ret == -1);
	if (ret == 0)
		check_accepted(f, mode);
	else
		check_refused(f, msg, msglen);
	free(msg);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct user_fields add, update, scratch;
	/* Exactly size bytes and no NUL after them: a read past the body is
	 * an ASan report. */
	char *body = malloc(size > 0 ? size : 1);
	int ret_add, ret_update;

	if (body == NULL)
		abort();
	memcpy(body, data, size);
	log_set_level(LOG_LEVEL_ERROR);

	ret_add = run(body, size, VALIDATE_ADD, FULL_MSG, &add);
	/* The buffer size changes the message only, never the verdict. */
	FUZZ_CHECK(run(body, size, VALIDATE_ADD, size % 97, &scratch) ==
	    ret_add);
	ret_update = run(body, size, VALIDATE_UPDATE, FULL_MSG, &update);
	FUZZ_CHECK(run(body, size, VALIDATE_UPDATE, size % 89, &scratch) ==
	    ret_update);
	/* A body good for add is good for update, with the same fields. */
	if (ret_add == 0) {
		FUZZ_CHECK(ret_update == 0);
		FUZZ_CHECK(memcmp(&add, &update, sizeof(add)) == 0);
	}
	free(body);
	return 0;
}
