#!/usr/bin/env bash
# t/01_transport.t: what every answer carries (api.md "Transport", "The
# envelope", "Errors nginx answers itself"): the JSON media type, an
# X-Request-Id, a {"message": ...} body; TLS and HTTP/1.1; nginx's own 404
# and 413. Read-only: nothing here writes a row.
. "$(dirname "$0")/lib.sh"

CT='application/json; charset=utf-8'

# envelope NAME: BODY is exactly {"message": X}, X a string, array or object.
envelope() {
	# shellcheck disable=SC2016 # a jq program
	jq_is 'if type == "object" and keys == ["message"]
		then (.message | type) as $t
		| if $t == "string" or $t == "array" or $t == "object"
		  then "ok" else "message is a \($t)" end
		else "not a {\"message\": ...} object" end' '"ok"' "$1"
}

# answer NAME STATUS: the status and what every answer carries.
answer() {
	is "$STATUS" "$2" "$1: status $2"
	is "$(header Content-Type)" "$CT" "$1: Content-Type"
	like "$(header X-Request-Id)" '^[0-9a-f]{32}$' \
	    "$1: X-Request-Id is nginx's \$request_id"
	envelope "$1: JSON envelope"
}

# Success, with the three kinds of message.
api GET /v1/test
answer 'GET /v1/test' 200
jq_is '.message | type' '"string"' 'GET /v1/test: message is a string'

api GET '/v1/users/list?limit=2'
answer 'GET /v1/users/list' 200
jq_is '.message | type' '"array"' 'GET /v1/users/list: message is an array'

api GET /v1/users/id/4
answer 'GET /v1/users/id/4' 200
jq_is '.message | type' '"object"' 'GET /v1/users/id/4: message is an object'

# Errors the application answers.
raw_request GET /v1/test -H "x-api-key: $USERS_API_KEY"
answer 'no Authorization' 401

api GET /v1/users/id/abc
answer 'invalid id' 400

api GET /v1/no-such-route
answer 'unknown path under /v1/' 404

api GET /v1/users/add-user
answer 'GET on a POST route' 405

# A HEAD answer has no body, but still its headers.
api HEAD /v1/test -I
is "$STATUS" 405 'HEAD /v1/test: status 405'
is "$(header Content-Type)" "$CT" 'HEAD /v1/test: Content-Type'
like "$(header X-Request-Id)" '^[0-9a-f]{32}$' 'HEAD /v1/test: X-Request-Id'

# Errors nginx answers itself.
raw_request GET /v1/test
answer 'no x-api-key' 403

raw_request GET /v1/test -H 'x-api-key: not-a-key' \
    -H "Authorization: Bearer $USERS_TOKEN"
answer 'unknown x-api-key' 403

api GET /
answer 'GET / (outside /v1/)' 404

api GET /v2/test
answer 'GET /v2/test (outside /v1/)' 404

# Without credentials nginx may refuse the key first (403) or not (404).
raw_request GET /no-such-file.html
like "$STATUS" '^40[34]$' 'outside /v1/, no credentials: 403 or 404'
is "$(header Content-Type)" "$CT" 'outside /v1/, no credentials: Content-Type'
like "$(header X-Request-Id)" '^[0-9a-f]{32}$' \
    'outside /v1/, no credentials: X-Request-Id'
envelope 'outside /v1/, no credentials: JSON envelope'

# 413 for a body over 16 KiB; exactly 16 KiB still reaches the application.
# The bodies are JSON objects with only an unknown key, so nothing is added.
# "Expect:" keeps curl from sending Expect: 100-continue (an interim 100
# would be the first status line raw_request reads).
make_body() { # BYTES: {"x":"aaa..."} of exactly BYTES bytes
	printf '{"x":"%s"}' "$(head -c $(($1 - 8)) /dev/zero | tr '\0' a)"
}
make_body 16385 >"$TEST_TMP/over"
make_body 16384 >"$TEST_TMP/limit"
is "$(wc -c <"$TEST_TMP/over" | tr -d ' ')" 16385 'the large body is 16 KiB + 1'
api POST /v1/users/add-user -H 'Expect:' \
    -H 'Content-Type: application/json' --data-binary @"$TEST_TMP/over"
answer 'body of 16 KiB + 1 byte' 413

api POST /v1/users/add-user -H 'Expect:' \
    -H 'Content-Type: application/json' --data-binary @"$TEST_TMP/limit"
answer 'body of exactly 16 KiB: not too large, bad attributes' 400

# Every answer gets its own request id.
api GET /v1/test
id1=$(header X-Request-Id)
api GET /v1/test
id2=$(header X-Request-Id)
isnt "$id1" "$id2" 'two requests get different X-Request-Id values'
like "$id2" '^[0-9a-f]{32}$' 'the second one is a request id too'

# HTTP/1.1 over TLS.
like "$USERS_URL" '^https://' 'USERS_URL is an https URL'
api GET /v1/test --http1.1
like "$(printf '%s\n' "$HEADERS" | head -n 1)" '^HTTP/1\.1 200( |$)' \
    'HTTP/1.1 over TLS answers 200'
is "$(header Content-Type)" "$CT" 'HTTP/1.1: Content-Type'
like "$(header X-Request-Id)" '^[0-9a-f]{32}$' 'HTTP/1.1: X-Request-Id'

# The listener speaks TLS only: a plain-HTTP request to it is no success.
plain=${USERS_URL/#https:/http:}
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
    -H "x-api-key: $USERS_API_KEY" -H "Authorization: Bearer $USERS_TOKEN" \
    "$plain/v1/test" || true)
isnt "$code" 200 'plain HTTP on the TLS port is not served'

done_testing
