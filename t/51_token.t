#!/usr/bin/env bash
# t/51_token.t: usersd-token mints tokens with the test stack's INI that the
# responder accepts (and expired or foreign-key ones it refuses); its claims,
# usage and exit statuses. Read-only.
. "$(dirname "$0")/lib.sh"

INI=$USERS_STATE_DIR/usersd.ini
MSG='Not authenticated, check x_api_key and Authorization'

# The binary automake built (the newest, should its place change).
BIN=$(built usersd-token)
ok 'usersd-token is built' test -n "$BIN"
[ -n "$BIN" ] || done_testing

# mint ARGS...: runs the tool; sets TOKEN (stdout), ERR (stderr), RC.
mint() {
	RC=0
	TOKEN=$("$BIN" "$@" 2>"$TEST_TMP/err") || RC=$?
	ERR=$(cat "$TEST_TMP/err")
}

# claims TOKEN / jose TOKEN: the decoded payload / header as compact JSON.
_seg() {
	local s
	s=$(printf '%s' "$1" | cut -d. -f"$2" | tr '_-' '/+')
	while [ $((${#s} % 4)) -ne 0 ]; do s=$s=; done
	printf '%s' "$s" | openssl base64 -d -A | jq -c .
}
claims() { _seg "$1" 2; }
jose() { _seg "$1" 1; }

# invalid_token NAME: the responder's 401 for a token it refuses.
invalid_token() {
	is "$STATUS" 401 "$1: 401"
	is "$(message)" "$MSG" "$1: the contract's message"
	like "$(header WWW-Authenticate)" '^Bearer error="invalid_token"' \
		"$1: WWW-Authenticate names invalid_token"
}

TOKEN_RE='^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'

# --- usage and exit statuses
mint --help
is "$RC" 0 '--help: exit 0'
like "$TOKEN" '^usage: usersd-token ' '--help: usage on stdout'
like "$TOKEN" 'Exit status' '--help: documents the exit statuses'

mint -c "$INI"
is "$RC" 2 'no --sub: exit 2'
like "$ERR" '--sub is required' 'no --sub: says so'
like "$ERR" '^usage:|usage: usersd-token' 'no --sub: the synopsis on stderr'
is "$TOKEN" '' 'no --sub: nothing on stdout'

mint -c "$INI" --sub 1 --ttl 12x
is "$RC" 2 '--ttl 12x: exit 2'
mint -c "$INI" --sub 1 --ttl 60 --exp 99
is "$RC" 2 '--ttl with --exp: exit 2'
mint -c "$INI" --sub 1 --claim exp=5
is "$RC" 2 '--claim exp=...: exit 2 (set by --ttl/--exp)'
mint -c "$INI" --sub 1 --bogus
is "$RC" 2 'unknown option: exit 2'
mint -c "$TEST_TMP/none.ini" --sub 1
is "$RC" 1 'missing INI: exit 1'
like "$ERR" 'none\.ini' 'missing INI: names the file'
mint -c "$INI" --sub 1 --key "$TEST_TMP/none.pem"
is "$RC" 1 '--key with an HS256 INI: exit 1'
like "$ERR" 'HS256' '--key with an HS256 INI: says HS256 takes the secret'

# --- a token from the stack's INI
before=$(now)
mint -c "$INI" --sub 1234 --ttl 300 --scope users:read --scope users:write \
	--claim name=Tester
after=$(now)
is "$RC" 0 'mint: exit 0'
like "$TOKEN" "$TOKEN_RE" 'mint: one compact JWS on stdout'
is "$ERR" '' 'mint: nothing on stderr'
unlike "$TOKEN$ERR" "$USERS_JWT_SECRET" 'mint: the secret is not printed'
is "$(jose "$TOKEN" | jq -r .alg)" HS256 'mint: header alg is the INI alg'
c=$(claims "$TOKEN")
is "$(printf '%s' "$c" | jq -r .sub)" 1234 'mint: sub'
is "$(printf '%s' "$c" | jq '.exp - .iat')" 300 'mint: exp = iat + ttl'
iat=$(printf '%s' "$c" | jq .iat)
ok "mint: iat is now ($iat in $before..$after)" \
	test "$iat" -ge "$before" -a "$iat" -le "$after"
is "$(printf '%s' "$c" | jq -r .scope)" 'users:read users:write' \
	'mint: scope joins the --scope values'
is "$(printf '%s' "$c" | jq -r .name)" Tester 'mint: --claim name=Tester'
is "$(printf '%s' "$c" | jq -c 'has("iss"), has("aud"), has("nbf")' | tr -d '\n')" \
	falsefalsefalse 'mint: no iss/aud without issuer/audience, no nbf unasked'
with_token "$TOKEN"
is "$STATUS" 200 'minted token: GET /v1/test 200'
with_token "$TOKEN" /v1/users/id/1
is "$STATUS" 200 'minted token: GET /v1/users/id/1 200'

# --- --scope: one scope, or several separated by spaces
mint -c "$INI" --sub 1 --scope 'users:read  users:delete ' --scope users:export
is "$RC" 0 '--scope "a b": minted'
is "$(claims "$TOKEN" | jq -r .scope)" 'users:read users:delete users:export' \
	'--scope "a  b ": each word once, joined by one space, after the others'
mint -c "$INI" --sub 1 --scope '   '
is "$RC" 2 '--scope of spaces only: exit 2'
like "$ERR" 'one or more scopes' '--scope of spaces only: says what it takes'
mint -c "$INI" --sub 1 --scope 'users:read "x"'
is "$RC" 2 '--scope with a quote: exit 2'
mint -c "$INI" --sub 1 --scope "users:read$(printf '\t')users:write"
is "$RC" 2 '--scope with a tab: exit 2'

# --- lifetimes against the leeway (30 s in the test INI)
mint -c "$INI" --sub 1 --ttl -120
is "$RC" 0 '--ttl -120: minted'
is "$(claims "$TOKEN" | jq '.exp - .iat')" -120 '--ttl -120: exp 120 s ago'
with_token "$TOKEN"
invalid_token 'expired beyond the leeway'
mint -c "$INI" --sub 1 --ttl -5
with_token "$TOKEN"
is "$STATUS" 200 'expired 5 s ago, within the 30 s leeway: 200'
mint -c "$INI" --sub 1 --exp $(($(now) - 3600))
with_token "$TOKEN"
invalid_token '--exp an hour ago'
mint -c "$INI" --sub 1 --exp $(($(now) + 3600))
is "$(claims "$TOKEN" | jq -r 'has("exp")')" true '--exp: exp set'
with_token "$TOKEN"
is "$STATUS" 200 '--exp in an hour: 200'
mint -c "$INI" --sub 1 --nbf 600
with_token "$TOKEN"
invalid_token 'nbf in 10 minutes'
mint -c "$INI" --sub 1 --no-iat
is "$(claims "$TOKEN" | jq -r 'has("iat")')" false '--no-iat: no iat'

# --- iss and aud come from the INI
sed -e '/^\[jwt\]/a issuer = https://auth.example.test/\naudience = users-api' \
	"$INI" >"$TEST_TMP/iss.ini"
mint -c "$TEST_TMP/iss.ini" --sub 7
is "$RC" 0 'issuer/audience INI: minted'
is "$(claims "$TOKEN" | jq -c '[.iss, .aud]')" \
	'["https://auth.example.test/","users-api"]' 'iss and aud from the INI'

# --- ES256: the private key on the command line, the public one in the INI
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-out "$TEST_TMP/es.key" 2>/dev/null
openssl pkey -in "$TEST_TMP/es.key" -pubout -out "$TEST_TMP/es.pub" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-out "$TEST_TMP/other.key" 2>/dev/null
sed -e 's/^alg *=.*/alg = ES256/' \
	-e "s|^secret *=.*|public_key_file = $TEST_TMP/es.pub|" \
	-e '/^secret_file *=/d' "$INI" >"$TEST_TMP/es.ini"
mint -c "$TEST_TMP/es.ini" --sub 1
is "$RC" 1 'ES256 without --key: exit 1'
like "$ERR" 'private key' 'ES256 without --key: asks for it'
mint -c "$TEST_TMP/es.ini" --sub 1 --key "$TEST_TMP/other.key"
is "$RC" 1 'ES256 with a key not paired with public_key_file: exit 1'
mint -c "$TEST_TMP/es.ini" --sub 1 --key "$TEST_TMP/es.pub"
is "$RC" 1 'ES256 with the public key as --key: exit 1'
mint -c "$TEST_TMP/es.ini" --sub 1 --key "$TEST_TMP/es.key"
is "$RC" 0 'ES256 with its private key: exit 0'
is "$(jose "$TOKEN" | jq -r .alg)" ES256 'ES256: header alg ES256'
unlike "$TOKEN$ERR" 'PRIVATE KEY' 'ES256: the key is not printed'
with_token "$TOKEN"
invalid_token 'an ES256 token at the HS256 stack'

done_testing
