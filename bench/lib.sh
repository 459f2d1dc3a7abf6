# Shell functions the load scripts share (bench/run.sh, bench/search.sh);
# sourced, not run. They read the scripts' settings: ENGINE, the sizes
# (STORIES, YEARS, READERS, SUBSCRIBERS, COMMENTS), PASSWORD, WORK, BIN
# and, for PostgreSQL, PG_ADMIN, PG_DB and PG_URL.

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# seeded SIZES: whether the database at DSN was seeded with SIZES in the
# last 7 days, as the seed's meta.json in DATA and, for PostgreSQL, the
# marker file beside it say.
seeded() {
	[[ -n $(find "$DATA/meta.json" -mtime -7 2>/dev/null) ]] || return 1
	if [[ $ENGINE == sqlite ]]; then
		[[ -f $DSN ]]
	else
		[[ $(cat "$WORK/$PG_DB.current" 2>/dev/null) == "$1" ]] &&
			[[ $(psql "$PG_ADMIN" -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") == 1 ]]
	fi
}

# migrate brings the database at DSN up to date; when that applied
# migrations, it sets MIGRATED ("13 to 17") and MIGRATE_S, the seconds they
# took, else leaves both empty. DATA/schema-version keeps the version; a
# database seeded before there was one is migrated but not timed.
migrate() {
	local start secs before after
	MIGRATED= MIGRATE_S=
	before=$(cat "$DATA/schema-version" 2>/dev/null || true)
	start=$(date +%s.%N)
	"$BIN/dateline" migrate --database "$DSN" >"$WORK/migrate-$ENGINE.log" 2>&1
	secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
	after=$(sed -n 's/.* is at schema version \([0-9]*\)$/\1/p' "$WORK/migrate-$ENGINE.log")
	echo "$after" >"$DATA/schema-version"
	if [[ -n $before && $before != "$after" ]]; then
		MIGRATED="$before to $after" MIGRATE_S=$secs
		log "migrated from $MIGRATED in $secs s"
	fi
}

# seed_database sets DATA (the folder of the seed's files) and DSN, and
# seeds the database, or reuses one seeded with the same sizes in the last
# 7 days: then it applies newer migrations (see migrate) and starts new
# sessions.
seed_database() {
	local sizes marker start
	sizes="s$STORIES-y$YEARS-r$READERS-u$SUBSCRIBERS-c$COMMENTS"
	DATA=$WORK/$ENGINE-$sizes
	marker=$WORK/$PG_DB.current
	if [[ $ENGINE == sqlite ]]; then
		DSN=$DATA/dateline.db
	else
		DSN=$PG_URL
	fi
	local seed_args=(--database "$DSN" --dateline "$BIN/dateline" --out "$DATA")
	if seeded "$sizes"; then
		log "reusing the database seeded in $DATA; starting new sessions"
		migrate
		"$BIN/seed" "${seed_args[@]}" --refresh
		return
	fi
	log "seeding $sizes on $ENGINE (this takes minutes at full size)"
	rm -rf "$DATA"
	mkdir -p "$DATA"
	if [[ $ENGINE == postgres ]]; then
		rm -f "$marker"
		psql "$PG_ADMIN" -q -c "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB"
	fi
	start=$(date +%s)
	"$BIN/seed" "${seed_args[@]}" --stories "$STORIES" --years "$YEARS" --readers "$READERS" \
		--subscribers "$SUBSCRIBERS" --comments "$COMMENTS" --password "$PASSWORD"
	log "seeded in $(($(date +%s) - start)) s"
	if [[ $ENGINE == postgres ]]; then echo "$sizes" >"$marker"; fi
	migrate # only to note the version: the seed migrated
}

# wait_for URL: waits up to a minute for a 200 from URL, else exits.
wait_for() {
	for _ in $(seq 1 3000); do
		[[ $(curl -s -o /dev/null -w '%{http_code}' "$1") == 200 ]] && return 0
		sleep 0.02
	done
	echo "no answer from $1" >&2
	exit 1
}

# write_section RESULTS MARK FRAGMENT: puts FRAGMENT's text between the
# lines <!-- MARK:start --> and <!-- MARK:end --> of RESULTS, adding them
# at its end when they are not there.
write_section() {
	local results=$1 mark=$2 fragment=$3
	grep -q "^<!-- $mark:start -->$" "$results" ||
		printf '\n<!-- %s:start -->\n<!-- %s:end -->\n' "$mark" "$mark" >>"$results"
	awk -v mark="$mark" -v fragment="$fragment" '
		$0 == "<!-- " mark ":start -->" { print; while ((getline line < fragment) > 0) print line; skip = 1; next }
		$0 == "<!-- " mark ":end -->" { skip = 0 }
		!skip { print }
	' "$results" >"$results.new"
	mv "$results.new" "$results"
	log "wrote the $mark section of $results"
}
