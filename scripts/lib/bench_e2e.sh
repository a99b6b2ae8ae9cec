# shellcheck shell=bash
# `scripts/bench e2e`: the end-to-end mail benchmark (internal/bench, run
# by cmd/salesdesk-bench). Sourced after services.sh and bench_data.sh;
# $root is the repository.

# bench_e2e runs salesdesk-bench --runs times, each on a fresh database and
# a fresh Redis, against one throwaway Dovecot, and prints every run's
# lines and, last, the median of each figure in the same format.
bench_e2e() {
	bench_db_args "$@"
	set -- "${bench_rest[@]+"${bench_rest[@]}"}"
	local runs=1 scaleout='' keep='' args=() format=mdbox
	while (($#)); do
		case $1 in
		--runs) runs=$2 && shift 2 ;;
		--scaleout) scaleout=1 && shift ;;
		--mails | --rate | --workers | --pollers | --concurrency | --append-conns | --noop-tasks)
			args+=("-${1#--}" "$2") && shift 2 ;;
		--split) args+=(-split) && shift ;;
		--mail-format) format=$2 && shift 2 ;;
		--cpuprofile) args+=(-cpuprofile) && keep=1 && shift ;;
		*) svc_die "e2e: unknown option $1 (see scripts/bench)" ;;
		esac
	done
	command -v redis-server >/dev/null 2>&1 || apt_install redis-server ||
		svc_die "redis-server not found (the benchmark starts its own)"
	[[ $bench_db == postgres ]] && ensure_postgres
	trap services_cleanup EXIT
	# The customer's mail server: Dovecot with multi-dbox by default
	# (many mails per file, UIDs and flags in Dovecot's indexes: the
	# format Dovecot recommends for busy servers); --mail-format maildir
	# is the tests' layout, one file per mail whose every append and flag
	# change renames files and rescans the mailbox's directories, which
	# kept the appenders below 100 mails/s (see docs/performance.md).
	case $format in
	maildir) SERVICES_DOVECOT_MAIL_LOCATION='maildir:~/Maildir' ;;
	sdbox | mdbox) SERVICES_DOVECOT_MAIL_LOCATION="$format:~/$format" ;;
	*) svc_die "e2e: --mail-format is maildir, sdbox or mdbox, not $format" ;;
	esac
	start_dovecot
	[[ -n "${SALESDESK_TEST_IMAP_ADDR:-}" ]] || svc_die "no Dovecot"
	local dir
	dir=$(mktemp -d /tmp/salesdesk-bench-e2e.XXXXXX)
	go build -o "$dir/salesdesk" ./cmd/salesdesk
	go build -o "$dir/salesdesk-bench" ./cmd/salesdesk-bench
	local status=0 w
	if [[ -n $scaleout ]]; then
		# Two competing pollers and 1, 2, 4 worker processes.
		local verdict
		for w in 1 2 4; do
			verdict=ok
			_bench_e2e_runs "$dir" "$runs" "${args[@]+"${args[@]}"}" -pollers 2 -workers "$w" || verdict=FAILED status=1
			echo "scaleout workers=$w pollers=2 check=$verdict $(tail -n 1 "$dir/median")"
		done
	else
		_bench_e2e_runs "$dir" "$runs" "${args[@]+"${args[@]}"}" || status=1
	fi
	if [[ -n $keep ]]; then
		echo "bench e2e: profiles, logs and the binary in $dir (go tool pprof $dir/salesdesk $dir/run*/cpu-*.pprof)" >&2
	else
		rm -rf "$dir"
	fi
	return "$status"
}

# _bench_pg_pid prints the postmaster's pid of the benchmark's PostgreSQL
# server, or nothing when the server is not on this machine or not
# PostgreSQL.
_bench_pg_pid() {
	[[ $bench_db == postgres ]] || return 0
	local datadir pm
	datadir=$(pg_sql 'SHOW data_directory' 2>/dev/null) || return 0
	pm=$(head -n 1 "$datadir/postmaster.pid" 2>/dev/null) || return 0
	[[ -r /proc/$pm/stat ]] || return 0
	echo "$pm"
}

# _bench_pg_cpu_ms prints the CPU milliseconds (user+system) that the
# PostgreSQL server of the benchmark has used so far, its exited backends
# included, or nothing when there is no local PostgreSQL server.
_bench_pg_cpu_ms() {
	local pm
	pm=$(_bench_pg_pid)
	[[ -n $pm ]] || return 0
	# utime, stime (fields 14, 15), and for the postmaster also cutime,
	# cstime (16, 17): its reaped children.
	{
		awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$pm/stat"
		local c
		for c in $(pgrep -P "$pm"); do
			awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$c/stat" 2>/dev/null || true
		done
	} | awk -v hz="$(getconf CLK_TCK)" '{ t += $1 } END { printf "%.0f", t * 1000 / hz }'
}

# _bench_mails prints the -mails argument among its arguments (1000 when
# none).
_bench_mails() {
	local n=1000
	while (($#)); do
		[[ $1 == -mails ]] && n=$2
		shift
	done
	echo "$n"
}

# _bench_e2e_runs runs the benchmark $2 times with the remaining arguments,
# prints each run's check and result and then the median line, which it
# also leaves in $1/median. It fails when any run's check failed.
_bench_e2e_runs() {
	local dir=$1 runs=$2 run dsn out status=0 rundir pgcpu pgpid
	shift 2
	: >"$dir/lines"
	: >"$dir/cpulines"
	pgpid=$(_bench_pg_pid)
	for ((run = 1; run <= runs; run++)); do
		rundir=$dir/run$run-$RANDOM
		mkdir -p "$rundir"
		dsn=$(bench_new_dsn "$rundir")
		pgcpu=$(_bench_pg_cpu_ms)
		out=$("$dir/salesdesk-bench" -bin "$dir/salesdesk" -dir "$rundir" -dsn "$dsn" \
			-imap "$SALESDESK_TEST_IMAP_ADDR" -imap-password "$SALESDESK_TEST_IMAP_PASSWORD" \
			-dovecot-pid "${_services_dovecot_pid:-0}" -postgres-pid "${pgpid:-0}" "$@") || status=1
		[[ -n $pgcpu ]] && pgcpu=$(awk -v a="$pgcpu" -v b="$(_bench_pg_cpu_ms)" -v n="$(_bench_mails "$@")" \
			'BEGIN { printf " | pg_server_cpu_ms_per_mail=%.1f (the PostgreSQL server, every process, over the whole run)", (b - a) / n }')
		echo "run $run ($bench_db $*): ${out//$'\n'/ | }$pgcpu" >&2
		[[ -n $out ]] && tail -n 1 <<<"$out" >>"$dir/lines"
		grep '^cpu_ms_per_mail=' <<<"$out" >>"$dir/cpulines" || true
		bench_drop_dsn "$dsn"
	done
	# The median of every figure over the runs: the CPU line's and the
	# result line's.
	if [[ -s $dir/cpulines ]]; then
		_bench_median <"$dir/cpulines"
	fi
	_bench_median <"$dir/lines" >"$dir/median"
	((status == 0)) || echo "bench e2e: a run failed its check (see the run lines above)" >&2
	cat "$dir/median"
	return "$status"
}

# _bench_median reads lines of key=value figures, one line per run with the
# same keys in the same order (other words are left out), and prints the
# median of each figure in the same format.
_bench_median() {
	awk '{ nk = 0; for (i = 1; i <= NF; i++) { if ($i !~ /=/) continue; split($i, kv, "="); nk++; v[nk, NR] = kv[2]; if (NR == 1) keys[nk] = kv[1] } n = NR; if (NR == 1) k1 = nk }
	END {
		line = ""
		for (i = 1; i <= k1; i++) {
			k = keys[i]; m = 0
			for (r = 1; r <= n; r++) a[r] = v[i, r] + 0
			for (x = 1; x <= n; x++) for (y = x + 1; y <= n; y++) if (a[y] < a[x]) { t = a[x]; a[x] = a[y]; a[y] = t }
			m = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
			line = line (i > 1 ? " " : "") k "=" m
		}
		print line
	}'
}
