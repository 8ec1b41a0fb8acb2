#!/usr/bin/env bash
# t/52_openapi.t: docs/openapi.yaml passes a maintained OpenAPI validator
# (@redocly/cli 1.34, installed by ./stack test into var/tools/; it runs on
# Node.js ^18.19 || >= 20.6, so on bookworm's own 18.20), lists exactly
# the routes and methods of the router's table (src/routes.c), and nginx
# serves it at /v1/openapi.yaml without key or token. Read-only.
. "$(dirname "$0")/lib.sh"

DOC=$ROOT/docs/openapi.yaml
REDOCLY=${USERS_REDOCLY:-}
# No usage data leaves the machine; no update banner in the output.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

# lint FILE: the recommended rules with every warning an error; localhost
# is the documented server on purpose (the development stack).
lint() {
	timeout 60 "$REDOCLY" lint --format=stylish \
		--extends recommended-strict --skip-rule no-server-example.com \
		"$1" >"$TEST_TMP/lint.out" 2>&1
}

# small_doc [OPERATION-FIELDS...]: a one-operation document that lacks
# nothing the rules ask for but what the operation leaves out.
small_doc() {
	printf '%s\n' 'openapi: 3.0.3' \
		'info: {title: t, version: "1", description: d, license:' \
		'  {name: MIT, url: "https://opensource.org/licenses/MIT"}}' \
		'servers: [{url: "https://localhost:8443"}]' \
		'security: [{key: []}]' \
		'components: {securitySchemes:' \
		'  {key: {type: apiKey, in: header, name: x-api-key}}}' \
		'paths: {/x: {get: {operationId: x, summary: x,' \
		"  description: x$*}}}"
}

# doc_routes FILE: "METHOD /path/{}" per operation of an OpenAPI JSON file,
# parameter names erased; "SLASH /path" per path marked x-trailing-slash.
doc_routes() {
	jq -r '.paths | to_entries[] | .key as $p |
		(.value | keys[] | select(test("^(get|put|post|delete|patch|head|options|trace)$")) |
			"\(ascii_upcase) \($p)"),
		(select(.value["x-trailing-slash"] == true) | "SLASH \($p)")' "$1" |
		sed -E 's/\{[^}]*\}/{}/g' | LC_ALL=C sort
}

# router_routes FILE: the same lines from a routes.c: its own macros
# expanded by cpp (headers left out), then each { SHAPE, "pattern",
# METHODS, ... } entry. Fails when an entry cannot be read.
router_routes() {
	grep -v '^[[:space:]]*#[[:space:]]*include' "$1" |
		gcc -E -P -x c - 2>"$TEST_TMP/cpp.err" | perl -0777 -ne '
		s{/\*.*?\*/}{}gs;
		m{router_routes\s*\[\s*\]\s*=\s*\{(.*?)\n\s*\}\s*;}s
			or die "no router_routes table\n";
		my $t = $1;
		my $entries = () = $t =~ /\bROUTE_[A-Z_]+\b/g;
		my $read = 0;
		while ($t =~ /\{\s*(ROUTE_[A-Z_]+)\s*,\s*"([^"]*)"\s*,\s*([^,]+?)\s*,/g) {
			my ($shape, $path, $methods) = ($1, $2, $3);
			$read++;
			if ($shape eq "ROUTE_VALUE") {
				$path .= "{}";
			} elsif ($shape eq "ROUTE_EXACT_SLASH") {
				print "SLASH $path\n";
			} elsif ($shape ne "ROUTE_EXACT") {
				die "unknown route shape $shape\n";
			}
			for (split /\s*\|\s*/, $methods) {
				/^HTTP_([A-Z]+)$/ or die "unreadable methods: $methods\n";
				print "$1 $path\n";
			}
		}
		die "read $read of $entries routes\n" if $read != $entries || !$read;
	' | LC_ALL=C sort
	return "${PIPESTATUS[2]}"
}

# --- the validator
ok "@redocly/cli is installed (${REDOCLY:-USERS_REDOCLY unset}; node $(
	node --version 2>&1))" test -n "$REDOCLY" -a -x "$REDOCLY"
if [ -n "$REDOCLY" ] && [ -x "$REDOCLY" ]; then
	if lint "$DOC"; then
		pass 'redocly lint (recommended-strict): no error, no warning'
	else
		fail 'redocly lint (recommended-strict): no error, no warning'
		diag "$(grep -v '[║╔╚]' "$TEST_TMP/lint.out" | tail -n 40)"
	fi
	# The check can fail: the small document passes; without responses
	# it is refused for that; without a 4xx answer (a warning in
	# "recommended") it is refused too.
	small_doc ', responses: {"200": {description: y},' \
		'"400": {description: n}}' >"$TEST_TMP/small.yaml"
	if lint "$TEST_TMP/small.yaml"; then
		pass 'redocly lint passes a small complete document'
	else
		fail 'redocly lint passes a small complete document'
		diag "$(cat "$TEST_TMP/lint.out")"
	fi
	small_doc >"$TEST_TMP/bad.yaml"
	if lint "$TEST_TMP/bad.yaml"; then
		fail 'redocly lint refuses an operation without responses'
	else
		# shellcheck disable=SC2016 # backquotes in redocly's text
		like "$(cat "$TEST_TMP/lint.out")" \
			'error +struct +The field `responses`' \
			'redocly lint refuses an operation without responses'
	fi
	small_doc ', responses: {"200": {description: y}}' >"$TEST_TMP/warn.yaml"
	if lint "$TEST_TMP/warn.yaml"; then
		fail 'redocly lint fails on a warning (no 4XX answer)'
	else
		like "$(cat "$TEST_TMP/lint.out")" 'operation-4xx-response' \
			'redocly lint fails on a warning (no 4XX answer)'
	fi
	# Dereferenced: the checks below see every answer in full.
	timeout 60 "$REDOCLY" bundle --dereferenced --ext json "$DOC" \
		>"$TEST_TMP/doc.json" 2>"$TEST_TMP/bundle.err"
	is "$(jq -r '.paths | type' "$TEST_TMP/doc.json" 2>&1)" object \
		'redocly bundle: the document as JSON'
else
	diag "./stack test installs it with npm into var/tools/; without the"
	diag "npm registry, or on Node.js < 18.19, it cannot: this test fails."
	printf '{}' >"$TEST_TMP/doc.json"
fi

# --- drift: the document and the router list the same routes
router_routes "$ROOT/src/routes.c" >"$TEST_TMP/router.txt"
ok 'src/routes.c: every route entry read' test $? -eq 0 -a -s "$TEST_TMP/router.txt"
n=$(grep -vc '^SLASH ' "$TEST_TMP/router.txt")
ok "src/routes.c: $n method + path pairs" test "$n" -ge 19
doc_routes "$TEST_TMP/doc.json" >"$TEST_TMP/doc.txt" 2>&1
if diff -u "$TEST_TMP/router.txt" "$TEST_TMP/doc.txt" >"$TEST_TMP/drift.diff"; then
	pass 'docs/openapi.yaml has exactly the routes and methods of src/routes.c'
else
	fail 'docs/openapi.yaml has exactly the routes and methods of src/routes.c'
	diag "--- router  +++ document"
	diag "$(tail -n +3 "$TEST_TMP/drift.diff")"
fi
# The check can fail: without the delete route the table differs.
grep -v '/v1/users/delete-user/' "$ROOT/src/routes.c" >"$TEST_TMP/routes-less.c"
router_routes "$TEST_TMP/routes-less.c" >"$TEST_TMP/router-less.txt"
ok 'the drift check sees a route missing from the router' \
	test "$(cat "$TEST_TMP/router-less.txt")" != "$(cat "$TEST_TMP/doc.txt")"

# Every operation documents its success, 401, 403 and 405 answers, and
# every answer body is the {"message": ...} envelope.
is "$(jq -r '[.paths[] | to_entries[] | select(.value | type == "object" and has("responses")) |
	select(([.value.responses | keys[] | select(test("^2"))] | length) == 0 or
		(.value.responses | has("401") and has("403") and has("405")) == false) |
	.value.operationId] | join(" ")' "$TEST_TMP/doc.json")" '' \
	'every operation documents 2xx, 401, 403 and 405'
# The exceptions (api.md, api-extensions.md sections 4 and 7): the
# export's 200, which is NDJSON or CSV and nothing else, and a 304, which
# has no body at all (RFC 9110 15.4.5).
is "$(jq -r '[.paths | to_entries[] |
	select(.key != "/v1/users/export") | .value[] | objects |
	.responses? // empty | to_entries[] | select(.key != "304") |
	select(.value.content["application/json"].schema.required // [] |
		index("message") | not) | .key] | length' "$TEST_TMP/doc.json")" 0 \
	'every answer but a 304 is a JSON body that requires "message"'
is "$(jq -r '[.paths[] | .[] | objects | .responses? // empty |
	to_entries[] | select(.key == "304") |
	select(.value.content != null or (.value.headers.ETag == null))] |
	length' "$TEST_TMP/doc.json")" 0 \
	'every 304 has no body and carries an ETag'
is "$(jq -r '[.paths[] | .[] | objects | .responses? // empty |
	to_entries[] | select(.key == "304")] | length' "$TEST_TMP/doc.json")" 2 \
	'the two single-user GETs document their 304'
is "$(jq -r '[.paths["/v1/users/export"].get.responses | to_entries[] |
	select(.key != "200") |
	select(.value.content["application/json"].schema.required // [] |
		index("message") | not) | .key] | length' "$TEST_TMP/doc.json")" 0 \
	'every answer of the export but its 200 is a JSON body that requires "message"'
is "$(jq -c '.paths["/v1/users/export"].get.responses["200"].content | keys' \
	"$TEST_TMP/doc.json")" '["application/x-ndjson","text/csv"]' \
	'the export streams NDJSON or CSV'


# --- nginx serves the file, byte for byte, with no credentials at all
code=$(curl -sk --max-time 10 -o "$TEST_TMP/served.yaml" -D "$TEST_TMP/served.hdr" \
	-w '%{http_code}' "$USERS_URL/v1/openapi.yaml")
is "$code" 200 'GET /v1/openapi.yaml without key or token: 200'
ok 'GET /v1/openapi.yaml: docs/openapi.yaml byte for byte' \
	cmp -s "$DOC" "$TEST_TMP/served.yaml"
like "$(tr -d '\r' <"$TEST_TMP/served.hdr" | grep -i '^content-type:')" \
	'yaml' 'GET /v1/openapi.yaml: a YAML content type'
code=$(curl -sk --max-time 10 -o /dev/null -w '%{http_code}' \
	-H 'x-api-key: not-a-key' -H 'Authorization: Bearer x.y.z' \
	"$USERS_URL/v1/openapi.yaml")
is "$code" 200 'GET /v1/openapi.yaml with a wrong key and token: still 200'

done_testing
