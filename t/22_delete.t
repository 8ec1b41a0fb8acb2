#!/usr/bin/env bash
# t/22_delete.t: DELETE /v1/users/delete-user/{id} (api.md "Routes",
# "Writes"): the row goes, once; bad and missing ids; other methods.
# Inserts its own rows (SQL) and deletes what is left when it exits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/writes.sh"

DELETED_MSG='User has been deleted successfully.'
MISSING_MSG='Bad request, a non-existent user cannot be deleted. Operation not allowed'
BAD_ID_MSG='Bad request, the id passed as a parameter is not valid.'

RUN=$(($(date +%s) % 100000))$$ # unique per run, digits, at most 12
TYPE="D$RUN"                    # this run's identification_type
K=0

# exists ID: 1 when the row is there, else 0.
exists() { q "SELECT COUNT(*) FROM users WHERE id = $1"; }

START_COUNT=$(count)
SAMPLES=$(samples)

# Rows this file adds go when it exits (t/writes.sh).
delete_new_rows_at_exit

# mkrow: inserts a user with SQL; sets NEWID.
mkrow() { insert_user D 'UTC_TIMESTAMP()'; }

# del_fails STATUS NAME ID: STATUS, a string message, nothing deleted.
del_fails() {
	local n
	n=$(count)
	api DELETE "/v1/users/delete-user/$3"
	is "$STATUS" "$1" "$2: $1"
	jq_is '.message | type' '"string"' "$2: a JSON string message"
	is "$(count)" "$n" "$2: nothing deleted"
}

mkrow
A=$NEWID
mkrow
B=$NEWID
is "$(exists "${A:-0}")$(exists "${B:-0}")" 11 "rows made with SQL ($A, $B)"

# --- a user is deleted once ------------------------------------------------

n=$(count)
api DELETE "/v1/users/delete-user/$A"
is "$STATUS" 200 'delete: 200'
like "$(header Content-Type)" '^application/json' 'delete: JSON content type'
is "$(message)" "$DELETED_MSG" "delete: the contract's message"
jq_is '.message | type' '"string"' 'delete: the message is a string'
is "$(exists "$A")" 0 'delete: the row is gone in SQL'
is "$(count)" $((n - 1)) 'delete: one row less'
is "$(exists "$B")" 1 'delete: the other row is still there'

api GET "/v1/users/id/$A"
is "$STATUS" 404 'GET the deleted user: 404'
api GET "/v1/users/id-limit-fields/$A"
is "$STATUS" 404 'GET id-limit-fields of the deleted user: 404'
api GET "/v1/users/nickname/DNICK_${RUN}_1"
jq_is .message '[]' 'search for the deleted nickname: []'

del_fails 404 'delete again' "$A"
is "$(message)" "$MISSING_MSG" "delete again: the contract's message"
api PATCH "/v1/users/update-user/$A" -H 'Content-Type: application/json' \
	--data-binary '{"nickname":"REVIVED1"}'
is "$STATUS" 404 'update the deleted user: 404'
is "$(exists "$A")" 0 'update the deleted user: no row comes back'

missing=$(q 'SELECT COALESCE(MAX(id), 0) + 1000000 FROM users')
del_fails 404 "delete missing id $missing" "$missing"
is "$(message)" "$MISSING_MSG" "delete missing id: the contract's message"
del_fails 404 'delete id 2147483647' 2147483647
is "$(message)" "$MISSING_MSG" "delete id 2147483647: the contract's message"

# --- bad ids ---------------------------------------------------------------------

for id in 0 00 "0$B" -1 "-$B" +1 abc 1a a1 1.0 0x1 1e3 1%20 %201 \
    2147483648 99999999999999999999 "$B;1" %2A; do
	del_fails 400 "delete id '$id'" "$id"
	is "$(message)" "$BAD_ID_MSG" "delete id '$id': the contract's message"
done
# nginx itself refuses %00 in a path (its own JSON 400).
del_fails 400 "delete id '$B%00'" "$B%00"
is "$(exists "$B")" 1 "bad ids: user $B is still there"
api DELETE /v1/users/delete-user/
is "$STATUS" 404 'delete-user/ (empty segment): 404'
api DELETE "/v1/users/delete-user/$B/"
is "$STATUS" 404 'delete-user/ID/ (trailing slash): 404'
api DELETE "/v1/users/Delete-User/$B"
is "$STATUS" 404 'Delete-User (path case): 404'
is "$(exists "$B")" 1 "odd paths: user $B is still there"

# --- other methods --------------------------------------------------------

for m in GET POST PUT PATCH; do
	api "$m" "/v1/users/delete-user/$B" -H 'Content-Type: application/json' \
		--data-binary '{"nickname":"METHOD1"}'
	is "$STATUS" 405 "$m delete-user: 405"
	like "$(header Allow)" DELETE "$m delete-user: Allow names DELETE"
	is "$(exists "$B")" 1 "$m delete-user: the row is still there"
done

# A body on DELETE changes nothing.
api DELETE "/v1/users/delete-user/$B" -H 'Content-Type: application/json' \
	--data-binary '{"id":1}'
is "$STATUS" 200 'delete with a body: 200'
is "$(exists "$B")" 0 'delete with a body: that row is gone'
is "$(exists 1)" 1 'delete with a body: user 1 is still there'

# --- the sample users are untouched; clean up -----------------------------------

is "$(samples)" "$SAMPLES" 'the 42 sample users are unchanged'
cleanup
is "$(count)" "$START_COUNT" 'cleanup: as many rows as at the start'

done_testing
