#!/usr/bin/env bash
# t/02_auth.t: the x-api-key check in nginx (403) and the bearer JWT check in
# the responder (401, WWW-Authenticate), api.md "Authentication" and "Fine
# points". Tokens are minted with lib.sh's mint_hs. Read-only.
. "$(dirname "$0")/lib.sh"

MSG='Not authenticated, check x_api_key and Authorization'
KEY="x-api-key: $USERS_API_KEY"
# The token of the original service's README, copied from api.md.
README_TOKEN='eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'

# accepted NAME: the last request got through to the handler.
accepted() {
	is "$STATUS" 200 "$1: 200"
	jq_is '.message | type' '"string"' "$1: /v1/test's message"
}

# forbidden NAME: nginx's 403 with the contract's message.
forbidden() {
	is "$STATUS" 403 "$1: 403"
	is "$(message)" "$MSG" "$1: message"
	jq_is 'keys' '["message"]' "$1: body is {\"message\": ...}"
}

# unauthorized NAME ERROR: 401 with the message; ERROR 1 when the
# WWW-Authenticate challenge must carry error="invalid_token", 0 when it
# must carry no error at all.
unauthorized() {
	local www
	is "$STATUS" 401 "$1: 401"
	is "$(message)" "$MSG" "$1: message"
	jq_is 'keys' '["message"]' "$1: body is {\"message\": ...}"
	www=$(header WWW-Authenticate)
	like "$www" '^Bearer( |$)' "$1: WWW-Authenticate: Bearer"
	if [ "$2" = 1 ]; then
		like "$www" 'error="invalid_token"' \
		    "$1: WWW-Authenticate has error=\"invalid_token\""
	else
		unlike "$www" 'error' "$1: WWW-Authenticate has no error"
	fi
}

# --- x-api-key (nginx) ---

raw_request GET /v1/test -H "Authorization: Bearer $USERS_TOKEN"
forbidden 'no x-api-key, good token'

raw_request GET /v1/test -H 'x-api-key: wrong-key' \
    -H "Authorization: Bearer $USERS_TOKEN"
forbidden 'wrong x-api-key, good token'

raw_request GET /v1/test -H 'x-api-key;' \
    -H "Authorization: Bearer $USERS_TOKEN"
forbidden 'empty x-api-key, good token'

raw_request GET /v1/test -H "x-api-key: ${USERS_API_KEY}x" \
    -H "Authorization: Bearer $USERS_TOKEN"
forbidden 'x-api-key with an extra character'

raw_request GET /v1/test -H "x-api-key: x${USERS_API_KEY}" \
    -H "Authorization: Bearer $USERS_TOKEN"
forbidden 'x-api-key with a character before it'

# A key is a secret: every byte counts, letter case included.
raw_request GET /v1/test \
    -H "x-api-key: $(printf '%s' "$USERS_API_KEY" | tr '[:lower:]' '[:upper:]')" \
    -H "Authorization: Bearer $USERS_TOKEN"
forbidden 'x-api-key in upper case'

raw_request GET /v1/test \
    -H "x-api-key: $(printf '%s' "$USERS_API_KEY" | sed 's/[a-z]/\u&/')" \
    -H "Authorization: Bearer $USERS_TOKEN"
forbidden 'x-api-key with one letter in upper case'

# nginx compares a plain map entry ignoring case: every key is an anchored,
# case-sensitive expression.
is "$(grep -vE '^[[:space:]]*(#|$)' "$ROOT/nginx/api-keys.map" |
    grep -cvE '^"~\^[A-Za-z0-9]+\$" [A-Za-z0-9_-]+;$')" 0 \
    'nginx/api-keys.map: every key is "~^KEY$" NAME;'

raw_request GET /v1/test
forbidden 'no x-api-key, no token: the key is checked first'

raw_request GET /v1/users/id/4
forbidden 'no credentials on a database route'
unlike "$BODY" 'GABRIELA' 'no credentials: no user data in the body'

raw_request GET /v1/test -H "X-API-KEY: $USERS_API_KEY" \
    -H "Authorization: Bearer $USERS_TOKEN"
accepted 'header name X-API-KEY in upper case'

# --- Authorization (responder) ---

raw_request GET /v1/test -H "$KEY"
unauthorized 'no Authorization' 0

raw_request GET /v1/users/id/4 -H "$KEY"
unauthorized 'no Authorization on a database route' 0
unlike "$BODY" 'GABRIELA' 'no Authorization: no user data in the body'

raw_request GET /v1/test -H "$KEY" -H 'Authorization: Basic x'
unauthorized 'Authorization: Basic x' 0

raw_request GET /v1/test -H "$KEY" -H "Authorization: $USERS_TOKEN"
unauthorized 'a bare token without a scheme' 0

raw_request GET /v1/test -H "$KEY" -H "Authorization: bearer $USERS_TOKEN"
accepted 'scheme "bearer" in lower case'

raw_request GET /v1/test -H "$KEY" -H "Authorization: BEARER $USERS_TOKEN"
accepted 'scheme "BEARER" in upper case'

with_token "$README_TOKEN"
accepted 'the README token from api.md'

with_token "$USERS_TOKEN"
accepted 'USERS_TOKEN'

with_token 'not.a.jwt'
unauthorized 'garbled token' 1

with_token 'abc'
unauthorized 'token with no dots' 1

with_token "${README_TOKEN%?????}"
unauthorized 'README token with its signature cut short' 1

now=$(now)

with_token "$(mint_hs '{"sub":"e2e"}')"
accepted 'token minted with the configured secret'

with_token "$(mint_hs '{"sub":"e2e"}' 'another-secret')"
unauthorized 'token signed with another secret' 1

# The README token's payload, re-signed with another secret.
with_token "$(mint_hs \
    '{"sub":"1234567890","name":"John Doe","iat":1516239022}' 'not-it')"
unauthorized 'README payload signed with another secret' 1

with_token "$(mint_hs "{\"sub\":\"e2e\",\"exp\":$((now - 3600))}")"
unauthorized 'exp an hour ago' 1

with_token "$(mint_hs "{\"sub\":\"e2e\",\"exp\":$((now - 10))}")"
accepted 'exp 10 s ago, within the 30 s leeway'

with_token "$(mint_hs "{\"sub\":\"e2e\",\"exp\":$((now + 3600))}")"
accepted 'exp in an hour'

with_token "$(mint_hs "{\"sub\":\"e2e\",\"nbf\":$((now + 3600))}")"
unauthorized 'nbf in an hour' 1

with_token "$(mint_hs "{\"sub\":\"e2e\",\"nbf\":$((now + 10))}")"
accepted 'nbf in 10 s, within the 30 s leeway'

with_token "$(mint_hs "{\"sub\":\"e2e\",\"nbf\":$((now - 60))}")"
accepted 'nbf a minute ago'

# alg "none": header and payload, empty signature.
none_h=$(printf '%s' '{"alg":"none","typ":"JWT"}' | b64url)
none_p=$(printf '%s' '{"sub":"e2e"}' | b64url)
with_token "$none_h.$none_p."
unauthorized 'alg none, empty signature' 1

# alg "none" carrying a valid HS256 signature of its own header and payload.
sig=$(printf '%s' "$none_h.$none_p" |
    openssl dgst -sha256 -hmac "$USERS_JWT_SECRET" -binary | b64url)
with_token "$none_h.$none_p.$sig"
unauthorized 'alg none with an HS256 signature' 1

with_token "$(mint_hs '{"sub":"e2e"}' "$USERS_JWT_SECRET" \
    '{"alg":"HS512","typ":"JWT"}' sha512)"
unauthorized 'HS512 token while HS256 is configured' 1

with_token "$(mint_hs '{"sub":"e2e"}' "$USERS_JWT_SECRET" \
    '{"alg":"HS384","typ":"JWT"}' sha384)"
unauthorized 'HS384 token while HS256 is configured' 1

# Header says HS512 but the signature is HS256: still the wrong alg.
with_token "$(mint_hs '{"sub":"e2e"}' "$USERS_JWT_SECRET" \
    '{"alg":"HS512","typ":"JWT"}' sha256)"
unauthorized 'header alg HS512 over an HS256 signature' 1

# RFC 7515: alg is case-sensitive, crit names extensions (none is
# implemented here), and a NUL must not hide what follows it.
with_token "$(mint_hs '{"sub":"e2e"}' "$USERS_JWT_SECRET" \
    '{"alg":"hs256","typ":"JWT"}')"
unauthorized 'header alg hs256 over an HS256 signature' 1

with_token "$(mint_hs '{"sub":"e2e"}' "$USERS_JWT_SECRET" \
    '{"alg":"Hs256","typ":"JWT"}')"
unauthorized 'header alg Hs256 over an HS256 signature' 1

with_token "$(mint_hs '{"sub":"e2e"}' "$USERS_JWT_SECRET" \
    '{"alg":"HS256","crit":["exp2"],"exp2":1}')"
unauthorized 'a crit header naming an unknown extension' 1

with_token "$(mint_hs '{"sub":"e2e"}' "$USERS_JWT_SECRET" \
    '{"alg":"HS256","crit":["b64"],"b64":false}')"
unauthorized 'crit b64 with b64 false' 1

# mint_nul HEADER_TAIL: the HS256 header followed by a NUL and HEADER_TAIL
# (printf keeps the NUL that a shell variable would lose), signed.
mint_nul() {
	local h p s
	h=$(printf '{"alg":"HS256","typ":"JWT"}\0%s' "$1" | b64url)
	p=$(printf '%s' '{"sub":"e2e"}' | b64url)
	s=$(printf '%s' "$h.$p" |
	    openssl dgst -sha256 -hmac "$USERS_JWT_SECRET" -binary | b64url)
	printf '%s.%s.%s' "$h" "$p" "$s"
}
with_token "$(mint_nul garbage)"
unauthorized 'a header with a NUL and garbage after it' 1

# RFC 7519 NumericDate: a number, with a fraction or not.
with_token \
    "$(mint_hs "{\"sub\":\"e2e\",\"exp\":$((now + 3600)).5}")"
accepted 'exp now + 3600.5'

with_token "$(mint_hs '{"sub":"e2e","exp":4102444800.0}')"
accepted 'exp 4102444800.0'

with_token \
    "$(mint_hs "{\"sub\":\"e2e\",\"nbf\":$((now + 3600)).5}")"
unauthorized 'nbf in an hour, with a fraction' 1

with_token "$(mint_hs '{"sub":"e2e","exp":"4102444800.5"}')"
unauthorized 'exp as a string' 1

with_token "$(mint_hs '{"sub":"e2e","exp":1e300}')"
unauthorized 'exp 1e300' 1

# A token over 8 KiB: the responder's 401 or nginx's own 4xx (header too
# large), JSON either way; never a success or a crash.
pad=$(head -c 9000 /dev/zero | tr '\0' a)
with_token "$(mint_hs "{\"sub\":\"e2e\",\"pad\":\"$pad\"}")"
like "$STATUS" '^4[0-9][0-9]$' "token over 8 KiB: a 4xx (got $STATUS)"
isnt "$STATUS" 200 'token over 8 KiB: not 200'
jq_is '(keys == ["message"]) and ((.message | type) == "string")' true \
    'token over 8 KiB: JSON {"message": string}'

done_testing
