#!/usr/bin/env bash
# t/22_delete.t: DELETE /v1/users/delete-user/{id} (api.md "Routes",
# "Writes"): the row goes, once; bad and missing ids; other methods.
# Inserts its own rows (SQL) and deletes what is left when it exits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/writes.sh"

DELETED_MSG='User has been deleted successfully.'
MISSING_MSG='Bad request, a non-existent user cannot be deleted. Operation not allowed'
BAD_ID_MSG='Bad request, the id passed as a parameter is not valid.'

# exists ID: 1 when the row is there, else 0.
exists() { q "SELECT COUNT(*) FROM users WHERE id = $1"; }

# This run's names; the rows this file adds go when it exits (t/writes.sh).
begin_writes D

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
expect -n delete DELETE "/v1/users/delete-user/$A" 200 "$DELETED_MSG"
like "$(header Content-Type)" '^application/json' 'delete: JSON content type'
jq_is '.message | type' '"string"' 'delete: the message is a string'
is "$(exists "$A")" 0 'delete: the row is gone in SQL'
is "$(count)" $((n - 1)) 'delete: one row less'
is "$(exists "$B")" 1 'delete: the other row is still there'

expect -n 'GET the deleted user' GET "/v1/users/id/$A" 404
expect -n 'GET id-limit-fields of the deleted user' \
	GET "/v1/users/id-limit-fields/$A" 404
api GET "/v1/users/nickname/DNICK_${RUN}_1"
jq_is .message '[]' 'search for the deleted nickname: []'

del_fails 404 'delete again' "$A"
is "$(message)" "$MISSING_MSG" "delete again: the contract's message"
expect -n 'update the deleted user' PATCH "/v1/users/update-user/$A" 404 '' \
	-H 'Content-Type: application/json' --data-binary '{"nickname":"REVIVED1"}'
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
expect DELETE /v1/users/delete-user/ 404          # an empty segment
expect DELETE "/v1/users/delete-user/$B/" 404     # a trailing slash
expect DELETE "/v1/users/Delete-User/$B" 404      # the path's case
is "$(exists "$B")" 1 "odd paths: user $B is still there"

# --- other methods --------------------------------------------------------

for m in GET POST PUT PATCH; do
	expect -n "$m delete-user" "$m" "/v1/users/delete-user/$B" 405 '' \
		-H 'Content-Type: application/json' --data-binary '{"nickname":"METHOD1"}'
	like "$(header Allow)" DELETE "$m delete-user: Allow names DELETE"
	is "$(exists "$B")" 1 "$m delete-user: the row is still there"
done

# A body on DELETE changes nothing.
expect -n 'delete with a body' DELETE "/v1/users/delete-user/$B" 200 '' \
	-H 'Content-Type: application/json' --data-binary '{"id":1}'
is "$(exists "$B")" 0 'delete with a body: that row is gone'
is "$(exists 1)" 1 'delete with a body: user 1 is still there'

# --- the sample users are untouched; clean up -----------------------------------

end_writes

done_testing
