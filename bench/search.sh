#!/usr/bin/env bash
# Whole-text search at a fixed rate, open loop, on one database:
#
#   bench/search.sh sqlite
#   bench/search.sh postgres
#
# It builds the binaries into bench/.work/bin, seeds 100,000 stories
# (reusing a database seeded with the same sizes in the last 7 days, as
# bench/run.sh does; readers and comments are few, search needs neither),
# migrates it, measures what the search index costs (its size on disk and
# the time to build it again), starts Dateline, and drives /search with
# bench/openloop as a signed-in subscriber (whose pages are never cached):
# one-word and two-word queries from the seeded stories, best match first
# and newest first, at LOW_RATE searches a second (no queue: what a search
# costs) and at RATE (the target's 200). Latency runs from each request's
# scheduled time, so a server that falls behind shows its queue. It
# writes this database's search section of bench/RESULTS.md.
#
# Sizes and run lengths come from the environment; a quick run:
#
#   STORIES=5000 DURATION=5s bench/search.sh sqlite
set -euo pipefail

usage() { echo "usage: $0 sqlite|postgres" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
ENGINE=$1
[[ $ENGINE == sqlite || $ENGINE == postgres ]] || usage

STORIES=${STORIES:-100000}
YEARS=${YEARS:-10}
READERS=${READERS:-2000}
SUBSCRIBERS=${SUBSCRIBERS:-1000}
COMMENTS=${COMMENTS:-0}
RATE=${RATE:-200}                 # searches a second
DURATION=${DURATION:-30s}         # each measured run
WARMUP=${WARMUP:-5s}              # one unmeasured run first
LOW_RATE=${LOW_RATE:-20}          # searches a second of the runs without a queue,
LOW_DURATION=${LOW_DURATION:-10s} # for each search's own cost
PORT=${PORT:-19500}
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
PG_DB=${PG_DB:-dateline_search_bench}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/$PG_DB?sslmode=disable}
PASSWORD=read-all-about-it

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
WORK=$BENCH/.work
BIN=$WORK/bin

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

# --- tools -----------------------------------------------------------------
for tool in curl go; do
	command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
if [[ $ENGINE == postgres ]]; then
	command -v psql >/dev/null || { echo "psql is needed for the postgres run" >&2; exit 1; }
elif ! command -v sqlite3 >/dev/null; then
	log "installing sqlite3 (to measure the search index)"
	apt-get update -qq && apt-get install -y -qq sqlite3
fi

log "building"
mkdir -p "$BIN"
(cd "$ROOT" && go build -o "$BIN/dateline" ./cmd/dateline &&
	for cmd in seed openloop; do go build -o "$BIN/$cmd" "./bench/$cmd"; done)

# --- the seeded database ---------------------------------------------------
# A database seeded by an older build gets the newer migrations, timed:
# they may rebuild the search index.
seed_database

# --- what the index costs ----------------------------------------------------
# seconds COMMAND…: runs it and prints how long it took, in seconds.
seconds() {
	local start
	start=$(date +%s.%N)
	"$@" >/dev/null
	printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)"
}
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

log "measuring the search index"
if [[ $ENGINE == sqlite ]]; then
	# Both FTS5 indexes (stories_fts: the whole text; stories_rank: the
	# headline, dek and first paragraph) and their shadow tables.
	fts_bytes() { sqlite3 "$DSN" "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE '$1%'"; }
	DB_BYTES=$(stat -c %s "$DSN")
	WHOLE_BYTES=$(fts_bytes stories_fts)
	RANK_BYTES=$(fts_bytes stories_rank)
	WHOLE_S=$(seconds sqlite3 "$DSN" "INSERT INTO stories_fts (stories_fts) VALUES ('rebuild')")
	RANK_S=$(seconds sqlite3 "$DSN" "INSERT INTO stories_rank (stories_rank) VALUES ('rebuild')")
	INDEX_ROWS=(
		"| stories_fts (FTS5, whole text, with positions) | $(mib "$WHOLE_BYTES") | $WHOLE_S s |"
		"| stories_rank (FTS5, headline, dek and first paragraph, columns only) | $(mib "$RANK_BYTES") | $RANK_S s |"
		"| the whole database file | $(mib "$DB_BYTES") | |"
	)
	DB_VERSION="SQLite (modernc.org/sqlite $(cd "$ROOT" && go list -m -f '{{.Version}}' modernc.org/sqlite))"
else
	q() { psql "$DSN" -tAc "$1"; }
	GIN_BYTES=$(q "SELECT pg_relation_size('story_search_search')")
	VEC_BYTES=$(q "SELECT SUM(pg_column_size(search)) FROM story_search")
	NARROW_BYTES=$(q "SELECT pg_relation_size('story_search')")
	HEAD_BYTES=$(q "SELECT SUM(pg_column_size(search_head)) FROM stories")
	HEAP_BYTES=$(q "SELECT pg_relation_size('stories')")
	TOAST_BYTES=$(q "SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE relname = 'stories'")
	GIN_S=$(seconds q "REINDEX INDEX story_search_search")
	INDEX_ROWS=(
		"| story_search_search (GIN over the whole-text tsvector) | $(mib "$GIN_BYTES") | $GIN_S s (REINDEX) |"
		"| story_search.search (whole-text tsvector, stored outside the row) | $(mib "$VEC_BYTES") | computed by a trigger as each story is written |"
		"| story_search's rows (id, status, section, date: what a search filters and sorts on) | $(mib "$NARROW_BYTES") | |"
		"| stories.search_head (headline, dek and first paragraph, for ranking) | $(mib "$HEAD_BYTES") | |"
		"| stories' rows / their TOAST | $(mib "$HEAP_BYTES") / $(mib "$TOAST_BYTES") | |"
	)
	DB_VERSION="PostgreSQL $(q 'SHOW server_version'), shared_buffers=$(q 'SHOW shared_buffers')"
fi
if [[ -n $MIGRATED ]]; then
	INDEX_ROWS+=("| migrations from $MIGRATED, applied to the seeded database this run | | $MIGRATE_S s |")
fi

# --- the server --------------------------------------------------------------
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
	echo "something already listens on port $PORT; stop it or set PORT" >&2
	exit 1
fi
mkdir -p "$WORK/data-search-$ENGINE"
"$BIN/dateline" serve --addr "127.0.0.1:$PORT" --database "$DSN" --base-url "http://127.0.0.1:$PORT" \
	--data-dir "$WORK/data-search-$ENGINE" >"$WORK/dateline-search-$ENGINE.log" 2>&1 &
DATELINE_PID=$!
trap 'kill "$DATELINE_PID" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
wait_for "http://127.0.0.1:$PORT/healthz"

COOKIE="dateline_session=$(head -n 1 "$DATA/cookies.txt")"
WORD=$(head -n 1 "$DATA/words.txt")
PAGE=$(curl -s -b "$COOKIE" "http://127.0.0.1:$PORT/search?q=$WORD")
grep -q 'Log out' <<<"$PAGE" || { echo "the subscriber's cookie did not sign in" >&2; exit 1; }

# cpu: the server's CPU time so far, in seconds.
TICK=$(getconf CLK_TCK)
cpu() { awk -v t="$TICK" '{ print ($14 + $15) / t }' "/proc/$DATELINE_PID/stat"; }
load() { cut -d' ' -f1 /proc/loadavg; }

# --- the runs ------------------------------------------------------------------
URL=http://127.0.0.1:$PORT/search
log "warming up for $WARMUP"
"$BIN/openloop" -url "$URL" -queries "$DATA/words.txt" -cookie "$COOKIE" -rate "$LOW_RATE" -duration "$WARMUP" >/dev/null

ROWS=()
# drive LABEL QUERIES RATE DURATION [PARAMS]: one measured run, a row of
# the table.
drive() {
	local label=$1 queries=$2 rate=$3 duration=$4 params=${5:-} out before after load_before
	load_before=$(load)
	before=$(cpu)
	out=$("$BIN/openloop" -url "$URL" -queries "$queries" -cookie "$COOKIE" -rate "$rate" -duration "$duration" -params "$params")
	after=$(cpu)
	f() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$out"; }
	local cpu_ms
	# Per search answered: a search refused with a 503 costs next to nothing.
	cpu_ms=$(awk -v a="$before" -v b="$after" -v n="$(f requests)" -v e="$(f errors)" \
		'BEGIN { if (n > e) printf "%.2f", (b - a) * 1000 / (n - e); else print "–" }')
	log "$label: $out"
	ROWS+=("$(printf '| %s | %.0f | %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %s |' "$label" "$(f sent_rate)" \
		"$(f requests)" "$(f errors)" "$(f p50_ms)" "$(f p90_ms)" "$(f p95_ms)" "$(f p99_ms)" "$(f max_ms)" \
		"$cpu_ms" "$load_before–$(load)")")
}
for r in "$LOW_RATE $LOW_DURATION" "$RATE $DURATION"; do
	read -r rate duration <<<"$r"
	drive "one word, best match" "$DATA/words.txt" "$rate" "$duration"
	drive "two words, best match" "$DATA/pairs.txt" "$rate" "$duration"
	drive "one word, newest" "$DATA/words.txt" "$rate" "$duration" sort=newest
	drive "two words, newest" "$DATA/pairs.txt" "$rate" "$duration" sort=newest
done

# --- RESULTS.md --------------------------------------------------------------
FRAGMENT=$WORK/search-results-$ENGINE.md
{
	if [[ $ENGINE == sqlite ]]; then echo "### Search on SQLite"; else echo "### Search on PostgreSQL"; fi
	echo
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
		"$(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) memory, Linux $(uname -r), $(go version | cut -d' ' -f3)," \
		"$DB_VERSION. $STORIES stories over $YEARS years; $LOW_RATE searches a second for $LOW_DURATION each (no queue: each" \
		"search's own cost), then $RATE a second for $DURATION each (the target), after $WARMUP of warm-up," \
		"as a signed-in subscriber. Latencies in ms from each search's scheduled time; CPU is the Dateline process's" \
		"per search answered (on PostgreSQL the database's own is not counted); load is the machine's 1-minute load average" \
		"before and after the run."
	echo
	echo '```sh'
	echo "STORIES=$STORIES RATE=$RATE DURATION=$DURATION bench/search.sh $ENGINE"
	echo '```'
	echo
	echo "| queries | rate | searches | errors | p50 | p90 | p95 | p99 | max | CPU ms | load |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--|"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "| search index | on disk | build |"
	echo "|---|--:|--:|"
	printf '%s\n' "${INDEX_ROWS[@]}"
} >"$FRAGMENT"

write_section "$BENCH/RESULTS.md" "search-$ENGINE" "$FRAGMENT"
cat "$FRAGMENT"
