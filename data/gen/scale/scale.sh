#!/bin/sh
# Full-size data for merino-go, ready to serve (issue 18): production's five Wikipedias and adm
# on 10 MARS segments, generated and indexed on this machine, never committed.
#
#   data/gen/scale/scale.sh gen     generate what is missing (make data-scale)
#   data/gen/scale/scale.sh env     generate and index what is missing, start the MARS feed,
#                                   print the environment that serves it all
#   data/gen/scale/scale.sh serve   the same, then run bin/merino serve with that environment
#   data/gen/scale/scale.sh stop    stop the MARS feed
#
# Run from the repository root. Generation (~7 min) and indexing (~2 min a language without
# --fulltext) run under nice, one at a time; everything goes under $SCALE_DIR
# (data/large/scale, git-ignored: ~3.2 GB of dumps, ~1.2 GB of indexes). Settings:
# SCALE_DIR, SCALE_SEED (1), SCALE_SHARED (../shared/data), SCALE_MARS_LISTEN (127.0.0.1:18310),
# SCALE_LISTEN (127.0.0.1:18300), SCALE_ADMIN_LISTEN (127.0.0.1:18301), SCALE_INDEX_FLAGS
# (extra flags for merino index wikipedia, e.g. --fulltext).
set -eu

DIR=${SCALE_DIR:-data/large/scale}
SEED=${SCALE_SEED:-1}
SHARED=${SCALE_SHARED:-../shared/data}
MARS_LISTEN=${SCALE_MARS_LISTEN:-127.0.0.1:18310}
LISTEN=${SCALE_LISTEN:-127.0.0.1:18300}
ADMIN_LISTEN=${SCALE_ADMIN_LISTEN:-127.0.0.1:18301}
LANGS="en fr de it pl"
GO=${GO:-go}

log() { echo "scale: $*" >&2; }

generate() {
	if [ ! -f data/large/amp-300k.json ]; then
		log "generating the large adm set"
		nice $GO run ./data/gen/amp -large -shared "$SHARED" -out data/large/amp-300k.json >&2
	fi
	missing=
	for l in $LANGS; do [ -f "$DIR/wikipedia-$l.json.gz" ] || missing=1; done
	[ -f "$DIR/mars/US-desktop.json" ] || missing=1
	if [ -n "$missing" ]; then
		log "generating the full-size corpora into $DIR (seed $SEED)"
		nice $GO run ./data/gen/scale -shared "$SHARED" -seed "$SEED" -amp data/large/amp-300k.json -out "$DIR" >&2
	fi
}

index() {
	$GO build -o bin/merino ./cmd/merino
	for l in $LANGS; do
		dump="$DIR/wikipedia-$l.json.gz"
		out="$DIR/index/${l}wiki"
		if [ -f "$out/meta.json" ] && [ "$out/meta.json" -nt "$dump" ]; then
			continue
		fi
		log "indexing $l"
		# shellcheck disable=SC2086 # SCALE_INDEX_FLAGS is a list of flags
		nice ./bin/merino index wikipedia --input "$dump" --out "$out" --lang "$l" ${SCALE_INDEX_FLAGS:-} >&2
	done
}

mars_feed() {
	pidfile="$DIR/mars.pid"
	if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		return
	fi
	mkdir -p "$DIR/bin"
	$GO build -o "$DIR/bin/scale" ./data/gen/scale
	nohup "$DIR/bin/scale" -serve-mars "$DIR/mars" -listen "$MARS_LISTEN" >"$DIR/mars.log" 2>&1 &
	echo $! >"$pidfile"
	log "MARS feed on http://$MARS_LISTEN/ (pid $(cat "$pidfile"), stop: $0 stop)"
}

env_lines() {
	abs=$(cd "$DIR" && pwd)
	cat <<EOF
MERINO_ENV=production
MERINO_HTTP__LISTEN=$LISTEN
MERINO_HTTP__ADMIN_LISTEN=$ADMIN_LISTEN
MERINO_LOCATION__MAXMIND_DATABASE=data/GeoLite2-City-Test.mmdb
MERINO_MARS__BASE_URL=http://$MARS_LISTEN/v1/suggest/
MERINO_MARS__COUNTRIES=["US","CA","GB","DE","FR"]
MERINO_MARS__FORM_FACTORS=["desktop","phone"]
MERINO_PROVIDERS__WIKIPEDIA__INDEX_DIR=$abs/index
MERINO_PROVIDERS__WIKIPEDIA__LANGUAGES=["en","fr","de","it","pl"]
EOF
}

case "${1:-env}" in
gen)
	generate
	;;
env)
	generate
	index
	mars_feed
	env_lines
	;;
serve)
	generate
	index
	mars_feed
	# shellcheck disable=SC2046 # one variable per line, no spaces in the values
	exec env $(env_lines) ./bin/merino serve
	;;
stop)
	if [ -f "$DIR/mars.pid" ]; then
		kill "$(cat "$DIR/mars.pid")" 2>/dev/null || true
		rm -f "$DIR/mars.pid"
	fi
	;;
*)
	echo "usage: $0 gen|env|serve|stop" >&2
	exit 2
	;;
esac
