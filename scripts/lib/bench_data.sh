# shellcheck shell=bash
# Benchmarks of scripts/bench on generated data: `scripts/bench import` and
# `scripts/bench kpi`. Sourced after services.sh; $root is the repository.

# bench_db_args parses --db, leaving the rest in bench_rest.
bench_db=sqlite
bench_rest=()
bench_db_args() {
	bench_rest=()
	while (($#)); do
		case $1 in
		--db)
			bench_db=$2
			shift 2
			;;
		--db=*)
			bench_db=${1#--db=}
			shift
			;;
		*)
			bench_rest+=("$1")
			shift
			;;
		esac
	done
	case $bench_db in
	sqlite | postgres) ;;
	*) svc_die "--db: want sqlite or postgres, not $bench_db" ;;
	esac
}

# bench_new_dsn prints a DSN for an empty database of $bench_db under $1
# (a directory; PostgreSQL gets a database named after it, dropped by
# bench_drop_dsn).
bench_new_dsn() {
	if [[ $bench_db == sqlite ]]; then
		rm -f "$1"/bench.db*
		echo "sqlite:$1/bench.db"
		return
	fi
	local name
	name=bench_$(basename "$1" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_\n' '_')
	pg_sql "DROP DATABASE IF EXISTS $name" >/dev/null
	pg_sql "CREATE DATABASE $name" >/dev/null
	echo "postgres://postgres@$SERVICES_PG_HOST:$SERVICES_PG_PORT/$name?sslmode=disable"
}

bench_drop_dsn() {
	if [[ $1 == postgres://* ]]; then
		local name=${1##*/}
		pg_sql "DROP DATABASE IF EXISTS ${name%%\?*}" >/dev/null || true
	fi
}

# bench_import: `salesdesk import orders` of a generated file, --runs times
# on a fresh database each, printing rows/s and peak RSS per run and the
# median.
bench_import() {
	bench_db_args "$@"
	set -- "${bench_rest[@]+"${bench_rest[@]}"}"
	local orders=1000000 runs=3
	while (($#)); do
		case $1 in
		--orders) orders=$2 && shift 2 ;;
		--runs) runs=$2 && shift 2 ;;
		*) svc_die "import: unknown option $1" ;;
		esac
	done
	[[ $bench_db == postgres ]] && ensure_postgres
	local dir bin
	dir=$(mktemp -d /tmp/salesdesk-bench-import.XXXXXX)
	bin=$dir/salesdesk
	go build -o "$bin" ./cmd/salesdesk
	# 5,000 accounts; one line per order, as an ERP's order export has it.
	awk 'BEGIN { print "external_id,name,country"; for (i = 1; i <= 5000; i++) printf "C-%05d,Customer %d Ltd,DE\n", i, i }' >"$dir/customers.csv"
	awk -v n="$orders" 'BEGIN {
		split("pending confirmed processing shipped delivered cancelled", st, " ")
		print "number,customer,status,currency,amount,promised_date,tracking,sku,description,qty,unit_price"
		for (i = 1; i <= n; i++) {
			q = i % 7 + 1; p = (i * 37) % 90000 / 100 + 1
			printf "SO-%08d,C-%05d,%s,EUR,%.2f,2026-%02d-%02d,TRK%08d,W-%d,Widget %d,%d,%.2f\n",
				i, i % 5000 + 1, st[i % 6 + 1], q * p, i % 12 + 1, i % 28 + 1, i, i % 500, i % 500, q, p
		}
	}' >"$dir/orders.csv"
	echo "bench import: $orders orders, $(du -m "$dir/orders.csv" | cut -f1) MB CSV, $bench_db, $runs runs" >&2
	local run dsn out secs rss rates=() rsses=()
	for ((run = 1; run <= runs; run++)); do
		dsn=$(bench_new_dsn "$dir")
		SALESDESK_DATABASE_DSN=$dsn "$bin" import customers "$dir/customers.csv" >/dev/null
		out=$(SALESDESK_DATABASE_DSN=$dsn /usr/bin/time -f 'TIME %e %M' "$bin" import --no-notify orders "$dir/orders.csv" 2>&1 >/dev/null) ||
			svc_die "import failed: $out"
		read -r secs rss < <(grep '^TIME ' <<<"$out" | cut -d' ' -f2-)
		rates+=("$(awk -v n="$orders" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')")
		rsses+=("$((rss / 1024))")
		echo "run $run: ${secs}s rows_per_s=${rates[-1]} rss_mb=${rsses[-1]}" >&2
		bench_drop_dsn "$dsn"
	done
	rm -rf "$dir"
	echo "import orders=$orders db=$bench_db rows_per_s=$(bench_median "${rates[@]}") rss_mb=$(bench_median "${rsses[@]}")"
}

# bench_kpi: the KPI report's reads (BenchmarkKPILarge in internal/store),
# then the whole reports and every desk page over HTTP with a table of
# medians against the targets (BenchmarkLargeDesk in internal/desk), on a
# generated large database, three runs each. --dsn reuses a database
# generated before (it is generated when it holds no order and kept).
bench_kpi() {
	bench_db_args "$@"
	set -- "${bench_rest[@]+"${bench_rest[@]}"}"
	local scale=1 keep=
	while (($#)); do
		case $1 in
		--scale) scale=$2 && shift 2 ;;
		--dsn) keep=$2 && shift 2 ;;
		*) svc_die "kpi: unknown option $1" ;;
		esac
	done
	[[ $bench_db == postgres || $keep == postgres://* ]] && ensure_postgres
	local dir dsn status=0
	dir=$(mktemp -d /tmp/salesdesk-bench-kpi.XXXXXX)
	dsn=${keep:-$(bench_new_dsn "$dir")}
	export SALESDESK_BENCH_LARGE_DSN=$dsn SALESDESK_BENCH_LARGE_SCALE=$scale
	go test -run '^$' -bench 'BenchmarkKPILarge' -benchtime 3x -timeout 60m ./internal/store/ || status=$?
	go test -run '^$' -bench 'BenchmarkLargeDesk' -benchtime 3x -timeout 60m ./internal/desk/ || status=$?
	[[ -n $keep ]] || bench_drop_dsn "$dsn"
	rm -rf "$dir"
	return "$status"
}

# bench_median prints the median of its numeric arguments.
bench_median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
