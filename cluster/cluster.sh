# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are read by ./stack, which sources this
# cluster/cluster.sh: the cluster stacks of ./stack, sourced by
# it: `./stack up --cluster replication` (a primary and 2 replicas, GTID,
# semi-sync AFTER_SYNC) or `--cluster galera` (3 Galera nodes), each with 3
# responders on 127.0.0.1 TCP ports behind one nginx upstream, and the
# cluster pass of ./stack test.
#
# Ports of a stack (select_stack): the databases DB_PORT, DB_PORT + 1 and
# DB_PORT + 2; the responders APP_PORT..APP_PORT + 2; Galera's group
# communication DB_PORT + 10.., IST DB_PORT + 20.., rsync SST DB_PORT + 30..
# Every one stays inside the stack's block of 100 and below 32768.

# Only a Galera stack needs these (rsync: its state transfer).
readonly GALERA_PACKAGES=(galera-4 rsync)
readonly GALERA_PROVIDER=/usr/lib/galera/libgalera_smm.so
# A replica acknowledges a commit within this (ms), or the primary goes on
# without it (asynchronous until a replica is back): a dead replica costs
# the writes this much once, not forever.
readonly SEMISYNC_TIMEOUT_MS=500
# The read/write files of t/ the cluster passes run too, besides
# t/cluster/: all of them on the replication stack, the writes on Galera.
# (t/17_export.t stays on one host: its abort test kills the one
# database's queries, and it reads the one responder's log and pids.)
# The idempotent adds and the change feed run on both: their sequencer's
# SKIP LOCKED and the key's wait are the writer's alone.
readonly CLUSTER_SHARED_TESTS=(t/04_read.t t/10_search.t t/14_filters.t
	t/15_counts.t t/20_add.t t/21_update.t t/22_delete.t
	t/24_idempotent.t t/25_changes.t
	galera:t/20_add.t galera:t/21_update.t galera:t/22_delete.t
	galera:t/24_idempotent.t galera:t/25_changes.t)

# cluster_node_paths ROLE: the files of replicaN or galeraN, each in its own
# directory $S/ROLE/ (a Galera node's is mysql's: the server runs as mysql,
# which rsync's state transfer needs, and writes its socket and pid there).
cluster_node_paths() {
	NODE_DIR=$S/$1/data NODE_SOCK=$S/$1/mysqld.sock NODE_PID=$S/$1/mysqld.pid
	NODE_LOG=$S/log/$1.log
	case $1 in
	replica*) NODE_PORT=$((DB_PORT + ${1#replica})) ;;
	galera*) NODE_PORT=$((DB_PORT + ${1#galera} - 1)) ;;
	esac
}

# cluster_node_options ROLE: NODE_OPTIONS, NODE_USER and NODE_WAIT of a
# cluster's database, for db_start.
cluster_node_options() {
	# Row events, GTIDs that must agree everywhere, and a binary log on
	# each server so that a replica can be made the primary (README).
	local repl=(--log-bin=mysql-bin --binlog-format=ROW --log-slave-updates
		--gtid-strict-mode=ON)
	[ "$1" = primary ] || mkdir -p "$S/$1"
	case $1 in
	primary)
		NODE_OPTIONS=(--server-id=1 "${repl[@]}"
			--rpl-semi-sync-master-enabled=ON
			--rpl-semi-sync-master-wait-point=AFTER_SYNC
			--rpl-semi-sync-master-timeout="$SEMISYNC_TIMEOUT_MS")
		;;
	replica*)
		# read_only: only replication (and root) writes here; the
		# responder's account gets error 1290.
		NODE_OPTIONS=(--server-id=$((1 + ${1#replica})) "${repl[@]}"
			--relay-log=relay-bin --read-only=ON
			--rpl-semi-sync-slave-enabled=ON)
		;;
	galera*) galera_options "$1" ;;
	esac
}

# A node that stops answering stalls the cluster's commits until the
# others declare it gone (evs.suspect_timeout, 5 s by default): 3 s keeps
# that under the responder's [database] read_timeout (5 s), so a commit
# in flight waits instead of failing. On loopback nothing is slow enough
# to be suspected by mistake; across hosts keep the default (README).
readonly GALERA_SUSPECT_S=3

# galera_options galeraN: a node of the stack's one cluster, on loopback.
galera_options() {
	local i=${1#galera} k peers=""
	for k in 1 2 3; do peers+=${peers:+,}127.0.0.1:$((DB_PORT + 9 + k)); done
	NODE_USER=mysql NODE_WAIT=120
	chown mysql: "$S/$1"
	touch "$NODE_LOG" && chown mysql: "$NODE_LOG"
	NODE_OPTIONS=(--wsrep-on=ON --wsrep-provider="$GALERA_PROVIDER"
		--wsrep-cluster-name="usersd-$STACK" --wsrep-node-name="$1"
		--wsrep-cluster-address="gcomm://$peers"
		--wsrep-node-address=127.0.0.1
		--wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:$((DB_PORT + 9 + i));ist.recv_addr=127.0.0.1:$((DB_PORT + 19 + i));evs.suspect_timeout=PT${GALERA_SUSPECT_S}S"
		--wsrep-sst-method=rsync
		--wsrep-sst-receive-address="127.0.0.1:$((DB_PORT + 29 + i))"
		--binlog-format=ROW --default-storage-engine=InnoDB
		--innodb-autoinc-lock-mode=2)
	[ "${GALERA_BOOTSTRAP:-0}" = 0 ] || NODE_OPTIONS+=(--wsrep-new-cluster)
}

# node_client ROLE ARGS...: root's client on that database.
node_client() {
	node_paths "$1"
	mariadb --no-defaults --protocol=socket --socket="$NODE_SOCK" \
		--user=root -N -B "${@:2}"
}

# cluster_check_state: up refuses a state directory of another topology
# (a primary without the binary log of its start cannot seed replicas).
cluster_check_state() {
	local have
	have=$(cat "$S/cluster" 2>/dev/null || true)
	[ "$have" = "$CLUSTER" ] && return
	[ -e "$S/mysql" ] || [ -e "$S/galera1" ] || return 0
	die "$STATE_LINK holds a ${have:-one-host} stack: ./stack down, remove $S, then up again"
}

# cluster_db_start: the databases of the stack's topology, provisioned.
cluster_db_start() {
	local t0=$SECONDS r
	printf '%s\n' "$CLUSTER" >"$S/cluster"
	case $CLUSTER in
	replication)
		db_start primary
		repl_account
		db_provision
		for r in replica1 replica2; do
			db_start "$r"
			replica_attach "$r"
		done
		replicas_caught_up
		;;
	galera)
		cluster_galera_start galera1
		db_provision
		cluster_galera_start galera2
		cluster_galera_start galera3
		;;
	esac
	say "the $CLUSTER databases took $((SECONDS - t0)) s"
}

# repl_account: the replicas' account on the primary, loopback only, with
# a generated password (root-only file).
repl_account() {
	if [ ! -s "$S/repl-password" ]; then
		(umask 077 && openssl rand -hex 24 | tr -d '\n' >"$S/repl-password")
	fi
	db_client <<EOF
CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' IDENTIFIED BY '$(cat "$S/repl-password")';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';
EOF
}

# replica_attach replicaN: the first time, points it at the primary from
# the start of the primary's binary log (GTID, empty slave_pos). Later
# starts resume by themselves. A 1 s connect retry: after a primary comes
# back, a replica follows within a second rather than the default 60.
replica_attach() {
	[ -z "$(node_client "$1" -e 'SHOW SLAVE STATUS')" ] || return 0
	say "$1 replicates from the primary"
	node_client "$1" <<EOF
CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$DB_PORT,
	MASTER_USER='repl', MASTER_PASSWORD='$(cat "$S/repl-password")',
	MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
START SLAVE;
EOF
}

# replicas_caught_up: both replicas have the primary's position.
replicas_caught_up() {
	local pos r
	pos=$(db_client -N -B -e 'SELECT @@gtid_binlog_pos')
	for r in replica1 replica2; do
		[ "$(node_client "$r" -e "SELECT MASTER_GTID_WAIT('$pos', 30)")" = 0 ] || {
			show_logs
			die "$r did not catch up with the primary ($pos)"
		}
	done
}

# cluster_galera_start galeraN: starts a node; with no node of the stack
# running, this one bootstraps the cluster from its data (marked safe to:
# on a development stack the last node stopped or any node will do).
cluster_galera_start() {
	local k others=0
	for k in galera1 galera2 galera3; do
		cluster_node_paths "$k"
		[ "$k" = "$1" ] || ! running "$NODE_PID" >/dev/null || others=1
	done
	cluster_node_paths "$1"
	GALERA_BOOTSTRAP=0
	if [ $others = 0 ]; then
		GALERA_BOOTSTRAP=1
		[ ! -f "$NODE_DIR/grastate.dat" ] ||
			sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' \
				"$NODE_DIR/grastate.dat"
	fi
	db_start "$1"
}

# cluster_ini: the responder's INI (written from usersd-dev.ini.in) gets
# its TCP address, the topology's primary and the [replicas] section.
cluster_ini() {
	sed -i -e "s|^socket = .*|socket = \"$APP_ADDR\"|" \
		-e "s|^unix_socket = .*|unix_socket = \"$DB_SOCK\"|" "$APP_INI"
	replicas_section >>"$APP_INI"
}

# The databases besides [database], for reads (and Galera's failover).
replicas_section() {
	local r list=""
	if [ "$CLUSTER" = galera ]; then
		for r in galera2 galera3; do list+=${list:+ }$S/$r/mysqld.sock; done
	else
		for r in replica1 replica2; do list+=${list:+ }$S/$r/mysqld.sock; done
	fi
	printf '\n[replicas]\nservers = "%s"\n' "$list"
	[ "$CLUSTER" != galera ] || printf 'galera = true\n'
}

# cluster_nginx_site SITE: the upstream gets the 3 responders in place of
# the one socket.
cluster_nginx_site() {
	local lines="" n
	for n in 1 2 3; do
		lines+="\\1server 127.0.0.1:$((APP_PORT + n - 1));"
		[ $n = 3 ] || lines+='\n'
	done
	sed -i "s|^\\([[:space:]]*\\)server unix:[^;]*;|$lines|" "$1"
	[ "$(grep -c "server 127.0.0.1:" "$1")" = 3 ] ||
		die "nginx/usersd-site.conf has no 'server unix:...;' line in its upstream"
}

# cluster_test_pass FILE...: ./stack test's cluster passes, on the test
# stack's state directory (the one-host pass's logs stay in log/, these
# go to log.replication/ and log.galera/): t/cluster/*galera* on a Galera
# stack, and those written galera:t/NAME.t; the other FILEs on a
# replication stack.
cluster_test_pass() {
	local rc=0 t rep=() gal=()
	for t in "$@"; do
		case $t in
		galera:*) gal+=("${t#galera:}") ;;
		t/cluster/*galera*) gal+=("$t") ;;
		*) rep+=("$t") ;;
		esac
	done
	stop_stack
	mv "$S/log" "$S/log.onehost"
	if [ ${#rep[@]} -gt 0 ]; then cluster_prove replication "${rep[@]}" || rc=1; fi
	if [ ${#gal[@]} -gt 0 ]; then cluster_prove galera "${gal[@]}" || rc=1; fi
	mv "$S/log.onehost" "$S/log"
	CLUSTER=""
	state_paths
	return $rc
}

# cluster_prove KIND FILE...: a fresh KIND stack, FILE... proved on it.
cluster_prove() {
	# The one-host stack's client comes back after the pass: what runs
	# next (the sanitizer pass) reads its tables through it.
	local rc=0 t0=$SECONDS one_host_mysql=${USERS_MYSQL:-}
	CLUSTER=$1
	shift
	find "$S" -mindepth 1 -maxdepth 1 ! -name 'log.*' -exec rm -rf {} +
	rm -rf "$S/log.$CLUSTER"
	state_paths
	start_stack
	wait_ready
	say "the $CLUSTER stack took $((SECONDS - t0)) s to come up"
	export USERS_CLUSTER=$CLUSTER
	export USERS_MYSQL="mariadb --no-defaults --protocol=socket --socket=$DB_SOCK --user=root --default-character-set=utf8mb4 --database=users"
	say "prove -v $* (on the $CLUSTER stack)"
	prove -v "$@" || rc=1
	responder_log_clean || rc=1
	stop_stack
	mv "$S/log" "$S/log.$CLUSTER"
	unset USERS_CLUSTER
	export USERS_MYSQL=$one_host_mysql
	say "the $CLUSTER pass took $((SECONDS - t0)) s"
	return $rc
}
