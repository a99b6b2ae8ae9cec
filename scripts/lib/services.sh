# shellcheck shell=bash
# Test services for salesdesk: Redis, PostgreSQL and a throwaway Dovecot on
# loopback. Sourced by scripts/test and scripts/bench; not run on its own.
#
#   source scripts/lib/services.sh
#   services_up        # ensure everything, export SALESDESK_TEST_*, set traps
#
# Redis and PostgreSQL are reused when they answer, otherwise installed (as
# root, with apt-get) and started; they are left running afterwards, like the
# machine's own. Dovecot always gets a fresh instance with its own config,
# users and maildirs in a temp dir on a spare port, removed on exit.
#
# Knobs (environment):
#   SALESDESK_TEST_POSTGRES_DSN  use this PostgreSQL instead of 127.0.0.1:5432
#   SALESDESK_TEST_REDIS_ADDR    use this Redis instead of 127.0.0.1:6379
#   SALESDESK_TEST_SKIP_CHROMIUM=1  do not install chromium
#   CI=true                      every missing service is an error

SERVICES_REDIS_HOST=127.0.0.1
SERVICES_REDIS_PORT=6379
SERVICES_PG_HOST=127.0.0.1
SERVICES_PG_PORT=${SERVICES_PG_PORT:-5432}
SERVICES_IMAP_PORT_FIRST=14300
SERVICES_IMAP_PORT_LAST=14399
# Dovecot's mail storage: maildir for the tests (a Maildir per user, as the
# DESIGN's notes describe); scripts/bench e2e picks its own (--mail-format).
SERVICES_DOVECOT_MAIL_LOCATION="${SERVICES_DOVECOT_MAIL_LOCATION:-maildir:~/Maildir}"

_services_apt_updated=
_services_dovecot_dir=
_services_dovecot_pid=

svc_log() { printf 'services: %s\n' "$*" >&2; }
svc_die() {
	printf 'services: error: %s\n' "$*" >&2
	exit 1
}
svc_ci() { [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; }
svc_root() { [[ "$(id -u)" == "0" ]]; }

# svc_fail reports a service that could not be provided: fatal under CI,
# a warning otherwise (the tests that need it will skip).
svc_fail() {
	if svc_ci; then
		svc_die "$* (CI=true: integration tests may not skip)"
	fi
	svc_log "warning: $* (tests that need it will skip)"
}

# apt_install installs Debian packages, running apt-get update once per run.
apt_install() {
	if ! svc_root; then
		svc_log "not root: cannot apt-get install $*"
		return 1
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		svc_log "apt-get not found: cannot install $*"
		return 1
	fi
	local log=${TMPDIR:-/tmp}/salesdesk-apt.log
	if [[ -z "$_services_apt_updated" ]]; then
		svc_log "apt-get update"
		if ! DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1; then
			tail -n 20 "$log" >&2
			return 1
		fi
		_services_apt_updated=1
	fi
	svc_log "apt-get install $* (log $log)"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		return 1
	fi
}

# tcp_open reports whether something accepts TCP connections on host:port.
tcp_open() {
	(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# redis_ping sends PING with bash's /dev/tcp, so no redis-cli is needed.
redis_ping() {
	local host=$1 port=$2 reply=''
	{
		exec 3<>"/dev/tcp/$host/$port" || return 1
		printf 'PING\r\n' >&3
		IFS= read -r -t 3 reply <&3 || true
		exec 3<&-
	} 2>/dev/null
	[[ "$reply" == "+PONG"* ]]
}

ensure_redis() {
	if [[ -n "${SALESDESK_TEST_REDIS_ADDR:-}" ]]; then
		SERVICES_REDIS_HOST=${SALESDESK_TEST_REDIS_ADDR%:*}
		SERVICES_REDIS_PORT=${SALESDESK_TEST_REDIS_ADDR##*:}
	fi
	local host=$SERVICES_REDIS_HOST port=$SERVICES_REDIS_PORT
	export SALESDESK_TEST_REDIS_ADDR="$host:$port"
	if redis_ping "$host" "$port"; then
		svc_log "redis: reused $host:$port"
		_redis_check_policy "$host" "$port"
		return 0
	fi
	if ! command -v redis-server >/dev/null 2>&1; then
		apt_install redis-server || {
			svc_fail "redis: not running on $host:$port and could not be installed"
			return 0
		}
		# The package may have started its own server.
		if redis_ping "$host" "$port"; then
			svc_log "redis: installed, reused the packaged server on $host:$port"
			return 0
		fi
	fi
	local dir=/var/lib/redis logfile=/var/log/redis/salesdesk-test.log
	if ! svc_root || [[ ! -d $dir || ! -w $dir ]]; then
		dir=${TMPDIR:-/tmp}
		logfile=$dir/salesdesk-test-redis.log
	fi
	mkdir -p "$(dirname "$logfile")"
	# noeviction: asynq loses task leases when Redis evicts keys.
	redis-server --daemonize yes --bind "$host" --port "$port" \
		--save "" --appendonly no --maxmemory-policy noeviction \
		--dir "$dir" --logfile "$logfile" >&2 || {
		svc_fail "redis: redis-server failed to start (see $logfile)"
		return 0
	}
	local i
	for ((i = 0; i < 50; i++)); do
		if redis_ping "$host" "$port"; then
			svc_log "redis: started $host:$port (log $logfile)"
			return 0
		fi
		sleep 0.1
	done
	svc_fail "redis: started but does not answer on $host:$port (see $logfile)"
}

_redis_check_policy() {
	command -v redis-cli >/dev/null 2>&1 || return 0
	local policy
	policy=$(redis-cli -h "$1" -p "$2" config get maxmemory-policy 2>/dev/null | tail -n 1) || return 0
	if [[ -n "$policy" && "$policy" != "noeviction" ]]; then
		svc_log "redis: warning: maxmemory-policy is $policy, asynq needs noeviction"
	fi
}

# pg_sql runs one SQL statement against the postgres database over TCP.
pg_sql() {
	PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 -tA \
		-h "$SERVICES_PG_HOST" -p "$SERVICES_PG_PORT" -U postgres -d postgres -c "$1"
}

_pg_version() {
	find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n 1
}

ensure_postgres() {
	if [[ -n "${SALESDESK_TEST_POSTGRES_DSN:-}" ]]; then
		svc_log "postgres: using SALESDESK_TEST_POSTGRES_DSN as given"
		return 0
	fi
	local host=$SERVICES_PG_HOST port=$SERVICES_PG_PORT installed='' started=''
	export SALESDESK_TEST_POSTGRES_DSN="postgres://postgres@$host:$port/test?sslmode=disable"
	if ! tcp_open "$host" "$port"; then
		if ! command -v pg_ctlcluster >/dev/null 2>&1; then
			apt_install postgresql || {
				svc_fail "postgres: not running on $host:$port and could not be installed"
				return 0
			}
			installed=1
		fi
		local ver
		ver=$(_pg_version)
		if [[ -z "$ver" ]]; then
			svc_fail "postgres: no cluster under /etc/postgresql"
			return 0
		fi
		if ! svc_root; then
			svc_fail "postgres: not running on $host:$port and not root to start it"
			return 0
		fi
		pg_ctlcluster --skip-systemctl-redirect "$ver" main start >&2 || true
		local i
		for ((i = 0; i < 100; i++)); do
			tcp_open "$host" "$port" && break
			sleep 0.1
		done
		if ! tcp_open "$host" "$port"; then
			svc_fail "postgres: cluster $ver/main started but $host:$port does not answer"
			return 0
		fi
		started=1
	fi
	if ! command -v psql >/dev/null 2>&1; then
		svc_log "postgres: psql not found; assuming database test exists"
		return 0
	fi
	if ! pg_sql 'SELECT 1' >/dev/null 2>&1; then
		# A freshly installed Debian cluster wants a password over TCP; this
		# machine is a test machine, so let loopback in as the tests expect.
		if [[ -n "$installed$started" ]] || svc_ci; then
			_pg_trust_loopback || true
		fi
		if ! pg_sql 'SELECT 1' >/dev/null 2>&1; then
			svc_fail "postgres: cannot log in as postgres on $host:$port"
			return 0
		fi
	fi
	if [[ "$(pg_sql "SELECT 1 FROM pg_database WHERE datname = 'test'")" != "1" ]]; then
		pg_sql 'CREATE DATABASE test' >&2 || {
			svc_fail "postgres: cannot create database test"
			return 0
		}
		svc_log "postgres: created database test"
	fi
	if [[ -n "$started" ]]; then
		svc_log "postgres: started $host:$port${installed:+ (installed)}"
	else
		svc_log "postgres: reused $host:$port"
	fi
}

_pg_trust_loopback() {
	svc_root || return 1
	local ver hba
	ver=$(_pg_version)
	hba=/etc/postgresql/$ver/main/pg_hba.conf
	[[ -f $hba ]] || return 1
	grep -q '^# salesdesk scripts/test' "$hba" && return 1
	svc_log "postgres: allowing trust auth on loopback in $hba"
	{
		echo '# salesdesk scripts/test: test machine, loopback is trusted'
		echo 'host all all 127.0.0.1/32 trust'
		echo 'host all all ::1/128 trust'
		cat "$hba"
	} >"$hba.new" && mv "$hba.new" "$hba"
	chown postgres:postgres "$hba" 2>/dev/null || true
	pg_ctlcluster --skip-systemctl-redirect "$ver" main reload >&2
	sleep 0.5
}

# imap_greeting waits for Dovecot's "* OK" greeting on 127.0.0.1:port.
imap_greeting() {
	local port=$1 line=''
	{
		exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
		IFS= read -r -t 3 line <&3 || true
		exec 3<&-
	} 2>/dev/null
	[[ "$line" == "* OK"* ]]
}

_dovecot_conf() {
	local dir=$1 port=$2 password=$3
	cat <<EOF
# Throwaway Dovecot for salesdesk tests (scripts/lib/services.sh).
# Any user name logs in with the shared password; each gets its own maildir.
instance_name = salesdesk-test-$port
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
first_valid_uid = 1
last_valid_uid = 0
first_valid_gid = 1
last_valid_gid = 0
mail_location = $SERVICES_DOVECOT_MAIL_LOCATION
mail_fsync = never
mailbox_idle_check_interval = 1 secs
default_process_limit = 1000
default_client_limit = 4000
default_vsz_limit = 512M

passdb {
  driver = static
  args = password=$password
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=$dir/home/%u
}

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
  }
  mailbox Sent {
    special_use = \\Sent
  }
  mailbox Trash {
    special_use = \\Trash
  }
  mailbox Junk {
    special_use = \\Junk
  }
}

protocol imap {
  mail_max_userip_connections = 1000
  imap_idle_notify_interval = 10 secs
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
  # High-performance mode: one login process serves many connections.
  service_count = 0
  process_min_avail = 1
  client_limit = 1000
}
service imap {
  process_limit = 1000
}
# No auth penalty: one test's failed login must not delay every other
# login from 127.0.0.1 by seconds (the auth process runs without it when
# anvil offers no penalty socket; mode 0 disables the listener).
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
EOF
}

# start_dovecot starts a throwaway Dovecot and exports SALESDESK_TEST_IMAP_*.
start_dovecot() {
	if [[ ! -x /usr/sbin/dovecot ]] || ! command -v doveadm >/dev/null 2>&1; then
		apt_install dovecot-imapd || {
			svc_fail "dovecot: /usr/sbin/dovecot missing and could not be installed"
			return 0
		}
	fi
	_dovecot_sweep
	local dir password port
	dir=$(mktemp -d "${TMPDIR:-/tmp}/salesdesk-dovecot.XXXXXX")
	_services_dovecot_dir=$dir
	echo "$$" >"$dir/owner"
	mkdir -p "$dir/run" "$dir/state" "$dir/home"
	# Mail processes run as uid 65534: they must reach and write the homes.
	chmod 755 "$dir"
	if svc_root; then
		chown 65534:65534 "$dir/home"
	else
		chmod 777 "$dir/home"
	fi
	password=test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	for ((port = SERVICES_IMAP_PORT_FIRST; port <= SERVICES_IMAP_PORT_LAST; port++)); do
		tcp_open 127.0.0.1 "$port" && continue
		_dovecot_conf "$dir" "$port" "$password" >"$dir/dovecot.conf"
		: >"$dir/dovecot.log"
		if ! /usr/sbin/dovecot -c "$dir/dovecot.conf" 2>>"$dir/dovecot.log"; then
			# Most likely lost a race for the port; try the next one.
			if grep -q 'Address already in use' "$dir/dovecot.log"; then
				continue
			fi
			cat "$dir/dovecot.log" >&2
			svc_fail "dovecot: failed to start (config $dir/dovecot.conf)"
			return 0
		fi
		local i
		for ((i = 0; i < 100; i++)); do
			if imap_greeting "$port"; then
				_services_dovecot_pid=$(cat "$dir/run/master.pid" 2>/dev/null || true)
				export SALESDESK_TEST_IMAP_ADDR="127.0.0.1:$port"
				export SALESDESK_TEST_IMAP_PASSWORD="$password"
				svc_log "dovecot: started 127.0.0.1:$port (pid ${_services_dovecot_pid:-?}, dir $dir)"
				return 0
			fi
			sleep 0.1
		done
		cat "$dir/dovecot.log" >&2
		stop_dovecot
		svc_fail "dovecot: started but 127.0.0.1:$port sends no greeting"
		return 0
	done
	svc_fail "dovecot: no free port in $SERVICES_IMAP_PORT_FIRST..$SERVICES_IMAP_PORT_LAST"
}

# _pid_running: the process exists and is not a zombie waiting to be reaped.
_pid_running() {
	local state
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ -n "$state" && "$state" != Z* ]]
}

# _dovecot_sweep stops and removes the Dovecots of earlier runs whose
# script died without cleaning up (killed with SIGKILL, say).
_dovecot_sweep() {
	local d owner pid
	for d in "${TMPDIR:-/tmp}"/salesdesk-dovecot.*; do
		[[ -f "$d/owner" ]] || continue
		owner=$(cat "$d/owner" 2>/dev/null || true)
		[[ -n "$owner" ]] && _pid_running "$owner" && continue
		pid=$(cat "$d/run/master.pid" 2>/dev/null || true)
		if [[ -n "$pid" ]] && _pid_running "$pid" &&
			grep -qF "$d/dovecot.conf" "/proc/$pid/cmdline" 2>/dev/null; then
			kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
		fi
		svc_log "dovecot: removed the leftover $d"
		rm -rf "$d"
	done
}

stop_dovecot() {
	local dir=$_services_dovecot_dir pid=$_services_dovecot_pid
	[[ -n "$dir" ]] || return 0
	_services_dovecot_dir=
	_services_dovecot_pid=
	if [[ -z "$pid" && -f "$dir/run/master.pid" ]]; then
		pid=$(cat "$dir/run/master.pid" 2>/dev/null || true)
	fi
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		# Its data is thrown away, so a graceful shutdown (about two seconds)
		# buys nothing: kill the master's process group, which it leads
		# after daemonizing, so every imap, auth and log child goes too.
		kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
		local i
		for ((i = 0; i < 50; i++)); do
			_pid_running "$pid" || break
			sleep 0.05
		done
	fi
	rm -rf "$dir"
}

# ensure_chromium installs Debian's chromium for the browser tests.
ensure_chromium() {
	if [[ "${SALESDESK_TEST_SKIP_CHROMIUM:-}" == "1" ]]; then
		return 0
	fi
	if command -v chromium >/dev/null 2>&1; then
		svc_log "chromium: found $(command -v chromium)"
		return 0
	fi
	if svc_root && apt_install chromium fonts-liberation; then
		svc_log "chromium: installed"
		return 0
	fi
	if svc_ci; then
		svc_die "chromium: missing and could not be installed"
	fi
	svc_log "warning: chromium missing and not installed (browser tests will skip)"
}

services_cleanup() {
	stop_dovecot
}

# services_up provides every service and arranges the cleanup on exit.
services_up() {
	trap services_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	ensure_redis
	ensure_postgres
	start_dovecot
	ensure_chromium
}

# services_go_path puts the usual Go install on PATH when go is missing.
services_go_path() {
	if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
		export PATH="/usr/local/go/bin:$PATH"
	fi
	command -v go >/dev/null 2>&1 || svc_die "go not found on PATH"
}

# services_pkg_args prints its arguments, one per line, adding ./... when
# none of them names a package (./something or salesdesk/something).
services_pkg_args() {
	local a has_pkg=''
	for a in "$@"; do
		case $a in
		./* | . | salesdesk | salesdesk/*) has_pkg=1 ;;
		esac
	done
	for a in "$@"; do printf '%s\n' "$a"; done
	[[ -n "$has_pkg" ]] || printf '%s\n' ./...
}
