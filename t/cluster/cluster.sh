# shellcheck shell=bash
# t/cluster/cluster.sh: the prologue of every t/cluster/ test, sourced
# with the topology the test needs ("any", "replication" or "galera"):
#   . "$(dirname "$0")/cluster.sh" replication
# ./stack test's cluster passes set USERS_CLUSTER; anywhere else, or in
# the other topology's pass, the test bails out. Then lib.sh, faults.sh
# and the helpers the cluster tests share.

case ${1:?cluster.sh needs a topology}:${USERS_CLUSTER:-} in
any:?* | replication:replication | galera:galera) ;;
*)
	echo "Bail out! $(basename "$0") needs a ${1/any/cluster} stack: ./stack test runs it in its cluster pass"
	exit 1
	;;
esac
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../faults.sh"

# on ROLE SQL: one value from that database of the stack (the primary's
# socket is the one-host stack's; every other role has its directory).
on() {
	local sock=$S/$1/mysqld.sock
	[ "$1" != primary ] || sock=$S/mysqld.sock
	mariadb --no-defaults --socket="$sock" --user=root -N -B -e "$2"
}

# caught_up ROLE: the replica has applied everything the primary has now.
caught_up() {
	test "$(on "$1" "SELECT MASTER_GTID_WAIT('$(on primary 'SELECT @@gtid_binlog_pos')', 1)")" = 0
}
