/* Validation of the JSON body of add-user and update-user: the body read by
 * json_strict.c, then one table row per field. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "answers.h"
#include "http.h"
#include "json_strict.h"
#include "utf8.h"
#include "validate.h"

#define MSG_PREFIX answer_text(ANSWER_BAD_ATTRIBUTES)
#define MSG_NOT_OBJECT "the body must be one JSON object"
#define PARSE_DEPTH 4   /* a flat object; nested values get "string" */
#define KEY_ECHO_MAX 32 /* code points of an unknown key quoted back */
#define KEY_ECHO_SIZE (KEY_ECHO_MAX * 4 + sizeof("..."))
#define WIDEST_FIELD 100 /* characters: email */

/* Every accepted value, 4 bytes a character at most, fits its buffer. */
_Static_assert(WIDEST_FIELD * 4 + 1 <= USER_TEXT_MAX, "USER_TEXT_MAX");

/* One writable field: its key, column, length in characters and, when it
 * has one, a shape check with the rule to report when the shape is wrong. */
struct field_rule {
	const char *name;
	enum user_column column;
	size_t min, max;
	int (*shape)(const unsigned char *s, size_t len);
	const char *shape_rule;
};

static int email_shape(const unsigned char *s, size_t len);

static const struct field_rule rules[] = {
	{ "nickname", USER_NICKNAME, 4, 50, NULL, NULL },
	{ "first_name", USER_FIRST_NAME, 1, 50, NULL, NULL },
	{ "last_name", USER_LAST_NAME, 1, 50, NULL, NULL },
	{ "email", USER_EMAIL, 6, WIDEST_FIELD, email_shape,
	    "must be an address like local@domain.tld" },
	{ "identification_type", USER_IDENTIFICATION_TYPE, 2, 15, NULL, NULL },
	{ "identification_number", USER_IDENTIFICATION_NUMBER, 6, 20, NULL,
	    NULL },
	{ "country_id", USER_COUNTRY_ID, 2, 5, NULL, NULL },
};
#define RULE_COUNT (sizeof(rules) / sizeof(rules[0]))

/* Keys a client may echo back from a GET; their values are never read. */
static const char *const ignored_keys[] = { "id", "creation_date",
	"update_date" };
#define IGNORED_COUNT (sizeof(ignored_keys) / sizeof(ignored_keys[0]))

/* The 400 message being built in the caller's buffer. */
struct msgbuf {
	char *buf;
	size_t cap, len;
	int items; /* failed rules reported so far */
	int full;  /* truncated: append nothing more */
};

/*
 * C0 and C1 controls and DEL: the contract's "control or format" set; and
 * the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069), which reorder what follows them where a nickname or an
 * email is shown. Other format characters (U+200B, U+200D) stay allowed.
 */
static int is_control(long cp)
{
	return cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F) ||
	    (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Unicode White_Space, plus the zero-width spaces that look like nothing. */
static int is_space(long cp)
{
	return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 ||
	    cp == 0xA0 || cp == 0x1680 || cp == 0x180E ||
	    (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

/* The body as one JSON object (the caller puts it), or NULL. */
static json_object *parse_object(const char *body, size_t len)
{
	if (body == NULL || len == 0 || len > HTTP_MAX_BODY)
		return NULL;
	return json_strict_object(body, len, PARSE_DEPTH);
}

static void msg_init(struct msgbuf *mb, char *buf, size_t cap)
{
	mb->buf = buf;
	mb->cap = cap;
	mb->len = 0;
	mb->items = 0;
	mb->full = 0;
	if (cap > 0)
		buf[0] = '\0';
}

/* Appends s; what does not fit is cut at a character boundary, and from
 * then on nothing more is appended. */
static void msg_put(struct msgbuf *mb, const char *s)
{
	size_t n = strlen(s), room;

	if (mb->full || mb->cap == 0)
		return;
	room = mb->cap - 1 - mb->len;
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		mb->full = 1;
	}
	memcpy(mb->buf + mb->len, s, n);
	mb->len += n;
	mb->buf[mb->len] = '\0';
}

/* Starts the next failed rule: the prefix before the first, "; " after. */
static void msg_item(struct msgbuf *mb)
{
	msg_put(mb, mb->items == 0 ? MSG_PREFIX : "; ");
	mb->items++;
}

/* "local@domain.tld": one @, no whitespace, 1-64 characters before it, and
 * a domain with a dot that neither starts nor ends it nor follows a dot. */
static int email_shape(const unsigned char *s, size_t len)
{
	size_t i = 0, at = len, local_chars = 0, k;

	while (i < len) {
		long cp;

		if (s[i] == '@') {
			if (at != len)
				return 0;
			at = i;
		}
		cp = utf8_decode(s, len, &i);
		if (cp < 0 || is_space(cp))
			return 0;
		if (at == len)
			local_chars++;
	}
	if (at == len || local_chars < 1 || local_chars > 64)
		return 0;
	s += at + 1;
	len -= at + 1;
	if (len < 3 || s[0] == '.' || s[len - 1] == '.' ||
	    memchr(s, '.', len) == NULL)
		return 0;
	for (k = 1; k < len; k++)
		if (s[k] == '.' && s[k - 1] == '.')
			return 0;
	return 1;
}

/*
 * Checks one value against its rule. On success copies the trimmed text
 * into out and returns NULL; otherwise returns the failed rule's text.
 */
static const char *check_value(const struct field_rule *r, json_object *v,
    struct user_fields *out, char *why, size_t whylen)
{
	const unsigned char *s;
	size_t len, i = 0, chars = 0;

	if (!json_object_is_type(v, json_type_string))
		return "must be a string";
	s = (const unsigned char *)json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	while (len > 0 && s[0] == ' ')
		s++, len--;
	while (len > 0 && s[len - 1] == ' ')
		len--;
	while (i < len) {
		long cp = utf8_decode(s, len, &i);

		if (cp < 0)
			return "must be valid UTF-8";
		if (is_control(cp))
			return "must not contain control characters";
		chars++;
	}
	if (chars < r->min || chars > r->max || len >= USER_TEXT_MAX) {
		snprintf(why, whylen,
		    "must be a string of %zu to %zu "
		    "characters",
		    r->min, r->max);
		return why;
	}
	if (r->shape != NULL && !r->shape(s, len))
		return r->shape_rule;
	memcpy(out->text[r->column - USER_TEXT_FIRST], s, len);
	out->text[r->column - USER_TEXT_FIRST][len] = '\0';
	out->present |= 1u << r->column;
	return NULL;
}

/* Every rule in table order; returns how many of the seven keys were given. */
static int check_fields(json_object *obj, enum validate_mode mode,
    struct user_fields *out, struct msgbuf *mb)
{
	char why[64];
	const char *problem;
	json_object *v;
	size_t r;
	int given = 0;

	for (r = 0; r < RULE_COUNT; r++) {
		if (!json_object_object_get_ex(obj, rules[r].name, &v)) {
			if (mode == VALIDATE_ADD) {
				msg_item(mb);
				msg_put(mb, rules[r].name);
				msg_put(mb, " is required");
			}
			continue;
		}
		given++;
		problem = check_value(&rules[r], v, out, why, sizeof(why));
		if (problem != NULL) {
			msg_item(mb);
			msg_put(mb, rules[r].name);
			msg_put(mb, " ");
			msg_put(mb, problem);
		}
	}
	return given;
}

static int is_known_key(const char *key)
{
	size_t i;

	for (i = 0; i < RULE_COUNT; i++)
		if (strcmp(key, rules[i].name) == 0)
			return 1;
	for (i = 0; i < IGNORED_COUNT; i++)
		if (strcmp(key, ignored_keys[i]) == 0)
			return 1;
	return 0;
}

/* The key as quoted back to the client: at most KEY_ECHO_MAX characters,
 * controls shown as '?'. Keys passed the lexical check, so are UTF-8. */
static void key_echo(const char *key, char dst[KEY_ECHO_SIZE])
{
	const unsigned char *s = (const unsigned char *)key;
	size_t len = strlen(key), i = 0, n = 0, chars = 0;

	while (i < len && chars < KEY_ECHO_MAX) {
		size_t start = i;
		long cp = utf8_decode(s, len, &i);

		if (cp < 0 || is_control(cp)) {
			if (cp < 0)
				i = start + 1;
			dst[n++] = '?';
		} else {
			memcpy(dst + n, s + start, i - start);
			n += i - start;
		}
		chars++;
	}
	if (i < len) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
}

static void check_unknown_keys(json_object *obj, struct msgbuf *mb)
{
	char echo[KEY_ECHO_SIZE];

	json_object_object_foreach(obj, key, v)
	{
		(void)v;
		if (is_known_key(key))
			continue;
		key_echo(key, echo);
		msg_item(mb);
		msg_put(mb, "unknown key \"");
		msg_put(mb, echo);
		msg_put(mb, "\"");
	}
}

static void report_empty_update(struct msgbuf *mb)
{
	size_t r;

	msg_item(mb);
	msg_put(mb, "at least one of ");
	for (r = 0; r < RULE_COUNT; r++) {
		msg_put(mb, rules[r].name);
		msg_put(mb, r + 1 < RULE_COUNT ? ", " : " is required");
	}
}

/*
 * Every failed rule is reported, fields in table order, then unknown keys in
 * body order, separated by "; " and cut to msglen. On failure *out is
 * zeroed.
 */
int validate_user_body(const char *body, size_t len, enum validate_mode mode,
    struct user_fields *out, char *msg, size_t msglen)
{
	struct msgbuf mb;
	json_object *obj;
	int given;

	memset(out, 0, sizeof(*out));
	msg_init(&mb, msg, msglen);
	obj = parse_object(body, len);
	if (obj == NULL) {
		msg_item(&mb);
		msg_put(&mb, MSG_NOT_OBJECT);
		goto fail;
	}
	given = check_fields(obj, mode, out, &mb);
	check_unknown_keys(obj, &mb);
	if (mode == VALIDATE_UPDATE && given == 0)
		report_empty_update(&mb);
	if (mb.items > 0)
		goto fail;
	json_object_put(obj);
	return 0;
fail:
	json_object_put(obj);
	memset(out, 0, sizeof(*out));
	return -1;
}
