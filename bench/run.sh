#!/usr/bin/env bash
# Load test of Dateline on one database, against the floor (a minimal Go
# server returning the same bytes from memory), with wrk on loopback.
#
#   bench/run.sh sqlite
#   bench/run.sh postgres
#
# Sizes and run lengths come from the environment; the defaults are the
# full size of issue 8. A quick run:
#
#   STORIES=5000 READERS=2000 SUBSCRIBERS=1000 COMMENTS=50000 DURATION=5s ROUNDS=1 bench/run.sh sqlite
#
# It builds the binaries into bench/.work/bin, seeds a database (reusing
# one seeded with the same sizes in the last 7 days), measures start-up,
# captures the pages for the floor, drives both, and writes the results
# into this database's section of bench/RESULTS.md.
set -euo pipefail

usage() { echo "usage: $0 sqlite|postgres" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
ENGINE=$1
[[ $ENGINE == sqlite || $ENGINE == postgres ]] || usage

STORIES=${STORIES:-100000}
YEARS=${YEARS:-10}
READERS=${READERS:-20000}
SUBSCRIBERS=${SUBSCRIBERS:-5000}
COMMENTS=${COMMENTS:-1000000}
DURATION=${DURATION:-10s}                 # each wrk run
# Each comment run. A reader may post 5 comments in 5 minutes, so the
# 5,000 subscribers have 25,000 posts in any 5 minutes; rounds are about
# 2.5 minutes apart, so two runs must stay under that, or posts are
# refused with 429 and the rate measures the limit, not the server.
COMMENT_DURATION=${COMMENT_DURATION:-3s}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
PORT=${PORT:-18080}
FLOOR_PORT=${FLOOR_PORT:-18081}
PG_ADMIN=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
PG_DB=${PG_DB:-dateline_bench}           # seeded once, marked by bench/.work/$PG_DB.current
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/$PG_DB?sslmode=disable}
PASSWORD=read-all-about-it

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
WORK=$BENCH/.work
BIN=$WORK/bin
export BENCH_LUA=$BENCH/lua

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

# --- tools -----------------------------------------------------------------
if ! command -v wrk >/dev/null; then
	log "installing wrk"
	apt-get update -qq && apt-get install -y -qq wrk
fi
for tool in curl go; do
	command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
if [[ $ENGINE == postgres ]]; then
	command -v psql >/dev/null || { echo "psql is needed for the postgres run" >&2; exit 1; }
fi

log "building"
mkdir -p "$BIN"
(cd "$ROOT" && go build -o "$BIN/dateline" ./cmd/dateline &&
	for cmd in seed floor commitrate startup report; do go build -o "$BIN/$cmd" "./bench/$cmd"; done)

# --- the seeded database ---------------------------------------------------
seed_database

# pages.json is flat JSON written by seed: read a string field.
page() { sed -n "s/^  \"$1\": \"\(.*\)\",\{0,1\}$/\1/p" "$DATA/pages.json"; }
STORY=$(page story)
SUBSCRIBER=$(page subscriber)
SECTION=$(page section)
SEARCH=$(page search)

# --- start-up --------------------------------------------------------------
for port in "$PORT" "$FLOOR_PORT"; do
	if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
		echo "something already listens on port $port; stop it or set PORT and FLOOR_PORT" >&2
		exit 1
	fi
done
SERVE=("$BIN/dateline" serve --addr "127.0.0.1:$PORT" --database "$DSN" --base-url "http://127.0.0.1:$PORT"
	--data-dir "$WORK/data-$ENGINE")
mkdir -p "$WORK/data-$ENGINE"
log "measuring start-up"
STARTUP=$("$BIN/startup" -n 3 -url "http://127.0.0.1:$PORT/healthz" -- "${SERVE[@]}" 2>"$WORK/startup.log")
STARTUP_MS=$(sed -n 's/.*"median_ms":\([0-9.]*\).*/\1/p' <<<"$STARTUP")
log "start-up: $STARTUP"

# --- servers ---------------------------------------------------------------
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
}
trap cleanup EXIT

"${SERVE[@]}" >"$WORK/dateline-$ENGINE.log" 2>&1 &
DATELINE_PID=$!
PIDS+=("$DATELINE_PID")
wait_for "http://127.0.0.1:$PORT/healthz"

log "capturing pages for the floor"
CAPTURE=$WORK/capture-$ENGINE
rm -rf "$CAPTURE"
mkdir -p "$CAPTURE"
COOKIE=$(head -n 1 "$DATA/cookies.txt")
capture() { # name path [cookie]
	local ctype code
	local args=(-s -o "$CAPTURE/$1.body" -w '%{http_code} %{content_type}\n')
	[[ $# -eq 3 ]] && args+=(-b "dateline_session=$3")
	read -r code ctype < <(curl "${args[@]}" "http://127.0.0.1:$PORT$2")
	[[ $code == 200 ]] || { echo "GET $2 answered $code" >&2; exit 1; }
	printf '/%s\t%s\t%s.body\n' "$1" "$ctype" "$1" >>"$CAPTURE/pages.tsv"
}
capture story "$STORY"
capture front /
capture section "$SECTION"
capture feed /feed.atom
capture subscriber "$SUBSCRIBER" "$COOKIE"
capture search "$SEARCH"
grep -q 'Log out' "$CAPTURE/subscriber.body" || { echo "the subscriber's cookie did not log in" >&2; exit 1; }

"$BIN/floor" --addr "127.0.0.1:$FLOOR_PORT" --pages "$CAPTURE/pages.tsv" &
PIDS+=("$!")
wait_for "http://127.0.0.1:$FLOOR_PORT/healthz"

# --- load ------------------------------------------------------------------
RUNS=$WORK/runs-$ENGINE.jsonl
: >"$RUNS"
NCOOKIES=$(wc -l <"$DATA/cookies.txt")

# drive PAGE SERVER ROUND [wrk options and arguments…]: one wrk run, its
# RESULT line appended to the runs file.
drive() {
	local page=$1 server=$2 round=$3
	shift 3
	local out result
	out=$(wrk --timeout 10s "$@")
	result=$(sed -n 's/^RESULT //p' <<<"$out")
	[[ -n $result ]] || { echo "wrk printed no RESULT for $page on $server:" >&2; echo "$out" >&2; exit 1; }
	printf '{"page":"%s","server":"%s","round":%d,"result":%s}\n' "$page" "$server" "$round" "$result" >>"$RUNS"
	log "$page on $server, round $round: $(sed -n 's/.*"rps":\([0-9.]*\).*"p99_ms":\([0-9.]*\).*/\1 req\/s, p99 \2 ms/p' <<<"$result")"
}

W=(-t"$THREADS" -c"$CONNS" -d"$DURATION")
D=http://127.0.0.1:$PORT
F=http://127.0.0.1:$FLOOR_PORT

for round in $(seq 1 "$ROUNDS"); do
	# Alternate which server goes first, so drift favours neither.
	if ((round % 2)); then order=(dateline floor); else order=(floor dateline); fi
	for server in "${order[@]}"; do
		if [[ $server == dateline ]]; then
			drive story "$server" "$round" "${W[@]}" -s "$BENCH_LUA/page.lua" "$D$STORY"
			drive front "$server" "$round" "${W[@]}" -s "$BENCH_LUA/page.lua" "$D/"
			drive section "$server" "$round" "${W[@]}" -s "$BENCH_LUA/page.lua" "$D$SECTION"
			drive feed "$server" "$round" "${W[@]}" -s "$BENCH_LUA/page.lua" "$D/feed.atom"
			drive subscriber "$server" "$round" "${W[@]}" -s "$BENCH_LUA/subscriber.lua" "$D" -- \
				"$SUBSCRIBER" "$DATA/cookies.txt" "$THREADS"
			drive search "$server" "$round" "${W[@]}" -s "$BENCH_LUA/search.lua" "$D" -- "$DATA/words.txt"
		else
			for p in story front section feed; do
				drive "$p" "$server" "$round" "${W[@]}" -s "$BENCH_LUA/page.lua" "$F/$p"
			done
			drive subscriber "$server" "$round" "${W[@]}" -s "$BENCH_LUA/subscriber.lua" "$F" -- \
				/subscriber "$DATA/cookies.txt" "$THREADS"
			drive search "$server" "$round" "${W[@]}" -s "$BENCH_LUA/page.lua" "$F/search"
		fi
	done
done

# Comment posts alternate with the database's raw commit rate for
# single-row inserts, measured with as many concurrent writers.
COMMITS=()
if [[ $ENGINE == sqlite ]]; then COMMIT_DSN=$WORK/commitrate.db; else COMMIT_DSN=$PG_URL; fi
for round in $(seq 1 "$ROUNDS"); do
	drive comment dateline "$round" -t"$THREADS" -c"$CONNS" -d"$COMMENT_DURATION" -s "$BENCH_LUA/comment.lua" "$D" -- \
		"$DATA/cookies.txt" "$DATA/open-stories.txt" "$THREADS"
	rm -f "$WORK"/commitrate.db*
	rate=$("$BIN/commitrate" --database "$COMMIT_DSN" --duration "$COMMENT_DURATION" --concurrency "$CONNS")
	rm -f "$WORK"/commitrate.db*
	COMMITS+=("$(sed -n 's/.*"rate":\([0-9.]*\).*/\1/p' <<<"$rate")")
	log "commit rate, round $round: ${COMMITS[-1]} a second"
done
COMMIT_RATE=$(printf '%s\n' "${COMMITS[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
if ((NCOOKIES < 1000)); then
	log "note: only $NCOOKIES subscriber cookies; comment posts may meet the five-in-five-minutes limit"
fi

hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$DATELINE_PID/status"; }
RSS_KB=$(hwm)

# Log-in flood with a story-page run beside it, each with half the
# connections and one thread.
HALF=$((CONNS / 2))
for round in $(seq 1 "$ROUNDS"); do
	drive login dateline "$round" -t1 -c"$HALF" -d"$DURATION" -s "$BENCH_LUA/login.lua" "$D" -- \
		"$DATA/readers.txt" "$PASSWORD" 1 &
	flood=$!
	sleep 1
	drive story-during-login dateline "$round" -t1 -c"$HALF" -d"$DURATION" -s "$BENCH_LUA/page.lua" "$D$STORY"
	wait "$flood"
	sleep 2
done
RSS_FLOOD_KB=$(hwm)

if [[ $ENGINE == sqlite ]]; then
	DB_BYTES=$(cat "$DSN" "$DSN-wal" 2>/dev/null | wc -c)
	DB_VERSION="SQLite (modernc.org/sqlite $(cd "$ROOT" && go list -m -f '{{.Version}}' modernc.org/sqlite))"
else
	DB_BYTES=$(psql "$PG_URL" -tAc "SELECT pg_database_size(current_database())")
	DB_VERSION="PostgreSQL $(psql "$PG_URL" -tAc 'SHOW server_version'), synchronous_commit=$(psql "$PG_URL" -tAc 'SHOW synchronous_commit')"
fi

cat >"$WORK/metrics-$ENGINE.json" <<EOF
{"database":"$ENGINE","stories":$STORIES,"commit_rate":$COMMIT_RATE,"startup_ms":$STARTUP_MS,
 "rss_kb":$RSS_KB,"rss_flood_kb":$RSS_FLOOD_KB,"db_bytes":$DB_BYTES}
EOF

# --- RESULTS.md --------------------------------------------------------------
FRAGMENT=$WORK/results-$ENGINE.md
{
	if [[ $ENGINE == sqlite ]]; then echo "## SQLite"; else echo "## PostgreSQL"; fi
	echo
	echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
		"$(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) memory, Linux $(uname -r), $(go version | cut -d' ' -f3)," \
		"$DB_VERSION, $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)."
	echo
	echo "Seeded: $STORIES stories over $YEARS years in 12 sections, $READERS readers ($SUBSCRIBERS subscribers)," \
		"$COMMENTS comments. wrk -t$THREADS -c$CONNS -d$DURATION on loopback, $ROUNDS rounds alternating Dateline" \
		"and the floor, medians shown; comment posts -d$COMMENT_DURATION; the log-in flood and the story page" \
		"beside it -t1 -c$HALF each."
	echo
	echo '```sh'
	echo "STORIES=$STORIES YEARS=$YEARS READERS=$READERS SUBSCRIBERS=$SUBSCRIBERS COMMENTS=$COMMENTS \\"
	echo "  DURATION=$DURATION COMMENT_DURATION=$COMMENT_DURATION ROUNDS=$ROUNDS CONNS=$CONNS bench/run.sh $ENGINE"
	echo '```'
	echo
	"$BIN/report" --runs "$RUNS" --metrics "$WORK/metrics-$ENGINE.json"
} >"$FRAGMENT"

RESULTS=$BENCH/RESULTS.md
[[ -f $RESULTS ]] || printf '# Load test results\n\n<!-- sqlite:start -->\n<!-- sqlite:end -->\n\n<!-- postgres:start -->\n<!-- postgres:end -->\n' >"$RESULTS"
write_section "$RESULTS" "$ENGINE" "$FRAGMENT"
cat "$FRAGMENT"
