#!/usr/bin/env bash
# Profile merino-go under load: start the server with its admin listener, drive a bench
# scenario at a constant rate, capture CPU, heap, allocs, mutex, block and goroutine profiles
# and an execution trace from the admin listener into profiles/out/<time>/, and print the top
# functions of each. See profiles/README.md for reading and comparing them.
#
# usage: profiles/capture.sh            (or: make profile)
# environment (defaults in brackets):
#   RATE [1500]  SCENARIO [firefox]  CPU_SECONDS [20]
#   LISTEN [127.0.0.1:8000]  ADMIN [127.0.0.1:8001]  MERINO_ENV [development]
set -euo pipefail

cd "$(dirname "$0")/.."
RATE=${RATE:-1500}
SCENARIO=${SCENARIO:-firefox}
CPU_SECONDS=${CPU_SECONDS:-20}
LISTEN=${LISTEN:-127.0.0.1:8000}
ADMIN=${ADMIN:-127.0.0.1:8001}
GO=${GO:-go}
OUT=profiles/out/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"

echo "capture: building into $OUT"
"$GO" build -o "$OUT/merino" ./cmd/merino
"$GO" build -o "$OUT/merino-bench" ./bench

SERVER= BENCH=
cleanup() {
	[ -n "$BENCH" ] && kill "$BENCH" 2>/dev/null || true
	[ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null || true
	wait 2>/dev/null || true
}
trap cleanup EXIT

# Mutex and block profiles are empty unless the server samples them: the two
# MERINO_HTTP__ADMIN_* settings ask for that (an older binary ignores them with a warning).
MERINO_ENV=${MERINO_ENV:-development} \
MERINO_HTTP__LISTEN=$LISTEN \
MERINO_HTTP__ADMIN_LISTEN=$ADMIN \
MERINO_HTTP__ADMIN_MUTEX_PROFILE_FRACTION=${MUTEX_FRACTION:-100} \
MERINO_HTTP__ADMIN_BLOCK_PROFILE_RATE=${BLOCK_RATE:-10000} \
	"$OUT/merino" serve >"$OUT/merino.log" 2>&1 &
SERVER=$!

for _ in $(seq 1 300); do
	curl -sf -o /dev/null "http://$LISTEN/__lbheartbeat__" && break
	kill -0 "$SERVER" 2>/dev/null || { echo "capture: merino exited:"; tail -20 "$OUT/merino.log"; exit 1; }
	sleep 0.1
done
curl -sf -o /dev/null "http://$ADMIN/debug/pprof/cmdline" || { echo "capture: no admin listener at $ADMIN"; exit 1; }

# The load runs for the whole capture: 3 s warm-up, the CPU profile, the trace, the two
# 5-second delta profiles, and a margin.
LOAD_SECONDS=$((CPU_SECONDS + 3 + 5 + 5 + 8))
echo "capture: $SCENARIO at $RATE req/s for ${LOAD_SECONDS}s against http://$LISTEN"
"$OUT/merino-bench" run --url "http://$LISTEN" --scenario "$SCENARIO" --rate "$RATE" --warmup 3s \
	--duration "${LOAD_SECONDS}s" --target-rps 0 --target-p95 0 --out "$OUT/load" >"$OUT/bench.txt" 2>&1 &
BENCH=$!
sleep 5
kill -0 "$BENCH" 2>/dev/null || { echo "capture: the bench stopped:"; cat "$OUT/bench.txt"; exit 1; }

get() { # name, path
	curl -sf -o "$OUT/$1" "http://$ADMIN/debug/pprof/$2" || echo "capture: cannot fetch $2"
}
echo "capture: cpu (${CPU_SECONDS}s)"
get cpu.pprof "profile?seconds=$CPU_SECONDS"
echo "capture: trace (3s)"
get trace.out "trace?seconds=3"
echo "capture: mutex and block (5s each, deltas), heap, allocs, goroutine"
get mutex.pprof "mutex?seconds=5"
get block.pprof "block?seconds=5"
get heap.pprof "heap?gc=1"
get allocs.pprof "allocs"
get goroutine.pprof "goroutine"

wait "$BENCH" || true
BENCH=
cat "$OUT/bench.txt"

top() { # title, file, extra pprof flags...
	local title=$1 file=$2
	shift 2
	[ -s "$OUT/$file" ] || { echo "== $title: no profile"; return; }
	echo
	echo "== $title ($OUT/$file)"
	"$GO" tool pprof -top -nodecount=20 "$@" "$OUT/merino" "$OUT/$file" 2>/dev/null | sed -n '1,30p' ||
		echo "(empty: the server does not sample this profile)"
}
top "CPU" cpu.pprof
top "allocations by space, whole run" allocs.pprof -sample_index=alloc_space
top "live heap" heap.pprof -sample_index=inuse_space
top "mutex contention" mutex.pprof
top "blocking" block.pprof
echo
echo "capture: profiles in $OUT (view: go tool pprof -http=: $OUT/merino $OUT/cpu.pprof; go tool trace $OUT/trace.out)"
