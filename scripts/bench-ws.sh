#!/usr/bin/env bash
# Compares WebTorrent trackers on this machine in one run: each tracker pinned to TRACKER_CPU,
# the generator to LOAD_CPU, rounds interleaved (every tracker and generator once per round),
# medians over the rounds. The default generator is aquatic_ws_load_test with its lean client
# and wsload.mjs's traffic (../shared/bench/ws-compare.sh): 1,000 connections opened 500 a
# second, the load starting once all are open, one announce in flight per connection, 10
# offers per announce (numwant 10), every offer answered, Pareto(2) popularity over 10,000
# torrents, 25% seeders, wsload.mjs's SDP (346 characters, CRLF lines). Its warm-up is
# WARMUP plus the opening time, so both generators measure from WARMUP s into the load.
# Extra arguments are environment assignments, e.g.:
#   scripts/bench-ws.sh                                          # bittorrent-tracker and aquatic_ws, 3 rounds
#   scripts/bench-ws.sh TRACKERS=aquatic_ws GENERATORS="wsload ws lean" ROUNDS=1
#
# Environment (defaults):
#   TRACKERS="bittorrent-tracker aquatic_ws"
#   GENERATORS=lean   lean | ws (aquatic_ws_load_test with that network.client) | wsload (wsload.mjs)
#   CONNECTIONS=1000 OFFERS=10 DURATION=10 WARMUP=3 ROUNDS=3
#   plus ../shared/bench/lib.sh's: BENCH_NODE_DIR (bittorrent-tracker, ws), TRACKER_CPU=1, LOAD_CPU=0,
#   OUT_DIR, BASE_PORT, NODE
# Runs under flock /tmp/aquatic-bench.lock, so benchmarks never overlap.
set -u
for assignment in "$@"; do export "${assignment?}"; done
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${BENCH_WS_LOCKED:-}" ] && command -v flock >/dev/null; then
  exec env BENCH_WS_LOCKED=1 flock /tmp/aquatic-bench.lock "$0" "$@"
fi
bench="${BENCH_DIR:-$root/../shared/bench}"
[ -f "$bench/lib.sh" ] || { echo "bench-ws: no lib.sh in $bench (set BENCH_DIR)" >&2; exit 1; }
# shellcheck source=/dev/null
source "$bench/lib.sh"

TRACKERS=${TRACKERS:-"bittorrent-tracker aquatic_ws"}
GENERATORS=${GENERATORS:-lean}
CONNECTIONS=${CONNECTIONS:-1000}
OFFERS=${OFFERS:-10}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
ROUNDS=${ROUNDS:-3}
# wsload.mjs opens 500 connections a second.
OPEN_INTERVAL_MS=2
RUN_MAX_S=$((WARMUP + DURATION + CONNECTIONS * OPEN_INTERVAL_MS / 1000 + 60))

[ -f "$root/dist/src/loadtest/ws/load-test.js" ] || (cd "$root" && npm run --silent build) || exit 1
for t in $TRACKERS; do
  case $t in
    aquatic_ws) ;;
    bittorrent-tracker) [ -f "$BENCH_NODE_DIR/node_modules/bittorrent-tracker/server.js" ] || { log "bittorrent-tracker missing in $BENCH_NODE_DIR"; exit 1; } ;;
    *) log "unknown tracker $t"; exit 1 ;;
  esac
done
for g in $GENERATORS; do
  case $g in
    lean | ws) ;;
    wsload) [ -f "$BENCH_NODE_DIR/node_modules/ws/index.js" ] || { log "ws missing in $BENCH_NODE_DIR"; exit 1; } ;;
    *) log "unknown generator $g"; exit 1 ;;
  esac
done

start_named() {
  alloc_port || return 1
  case $1 in
    aquatic_ws)
      start_tracker "$1" "$PORT" tcp "$RUN_MAX_S" env AQUATIC_NETWORK__ADDRESS="127.0.0.1:$PORT" AQUATIC_LOG_LEVEL=error \
        AQUATIC_NETWORK__MAX_CONNECTIONS=20000 "$NODE" "$root/bin/aquatic_ws.js" ;;
    bittorrent-tracker)
      start_tracker "$1" "$PORT" tcp "$RUN_MAX_S" "$NODE" "$bench/bt-tracker-launch.mjs" --port "$PORT" --no-udp --max-seconds "$RUN_MAX_S" ;;
  esac
}

# generate GENERATOR: runs it pinned against 127.0.0.1:$PORT; prints one normalized line
# "announce=N msgs=N gen_cpu=X errors=N timeouts=N" (msgs: announce responses, offers and answers received per s).
generate() {
  local out
  if [ "$1" = wsload ]; then
    out=$(timeout $((RUN_MAX_S - 10)) taskset -c "$LOAD_CPU" "$NODE" "$bench/wsload.mjs" --url "ws://127.0.0.1:$PORT" \
      --connections "$CONNECTIONS" --offers "$OFFERS" --duration "$DURATION" --warmup "$WARMUP" --quiet 2>&1)
  else
    out=$(timeout $((RUN_MAX_S - 10)) taskset -c "$LOAD_CPU" env AQUATIC_SERVER_ADDRESS="127.0.0.1:$PORT" AQUATIC_LOG_LEVEL=warn \
      AQUATIC_DURATION="$DURATION" AQUATIC_WARMUP=$((WARMUP + (CONNECTIONS * OPEN_INTERVAL_MS + 999) / 1000)) AQUATIC_NETWORK__CLIENT="$1" \
      AQUATIC_NETWORK__CONNECTIONS_PER_WORKER="$CONNECTIONS" AQUATIC_NETWORK__CONNECTION_CREATION_INTERVAL_MS="$OPEN_INTERVAL_MS" \
      AQUATIC_NETWORK__START_AFTER_ALL_OPEN=true \
      AQUATIC_REQUESTS__OFFERS_PER_REQUEST="$OFFERS" AQUATIC_REQUESTS__TORRENT_SELECTION=pareto AQUATIC_REQUESTS__PARETO_SHAPE=2 \
      AQUATIC_REQUESTS__NUMBER_OF_TORRENTS=10000 AQUATIC_REQUESTS__PEER_SEEDER_PROBABILITY=0.25 \
      AQUATIC_REQUESTS__OFFER_SDP=browser AQUATIC_REQUESTS__OFFER_SDP_SIZE=346 "$NODE" "$root/bin/aquatic_ws_load_test.js" 2>&1)
  fi
  echo "$out" >"$OUT_DIR/gen.$1.$PORT.txt"
  echo "$out" | grep '^RESULT ' | tail -1 | awk '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    if ("announce_rps" in v && "server_msgs_rps" in v) printf "announce=%s msgs=%s gen_cpu=%s errors=%d timeouts=%s\n", v["announce_rps"], v["server_msgs_rps"], v["gen_cpu"], v["failures"] + v["bad"], v["timeouts"]
    else if ("announce_rps" in v) printf "announce=%s msgs=%s gen_cpu=%s errors=%s timeouts=%s\n", v["announce_rps"], v["msgs_rps"], v["gen_cpu"], v["errors"], v["timeouts"] }'
}

RESULTS=$OUT_DIR/bench-ws.tsv
printf 'round\ttracker\tgenerator\tannounce_rps\tmsgs_rps\ttracker_cpu\tgen_cpu\terrors\ttimeouts\n' >"$RESULTS"
log "bench-ws: trackers=$TRACKERS generators=$GENERATORS ${CONNECTIONS} connections, $OFFERS offers, ${DURATION}s (+${WARMUP}s warm-up) x $ROUNDS round(s); out=$OUT_DIR"
for round in $(seq 1 "$ROUNDS"); do
  for g in $GENERATORS; do
    for t in $TRACKERS; do
      if ! start_named "$t"; then printf '%s\t%s\t%s\tFAILED\n' "$round" "$t" "$g" >>"$RESULTS"; continue; fi
      resultf="$OUT_DIR/line.$PORT"
      generate "$g" >"$resultf" &
      gen=$!
      # The tracker's CPU over the loaded part of the run: from a second into the warm-up until the generator exits.
      sleep $((WARMUP + 1 + CONNECTIONS * OPEN_INTERVAL_MS / 1000))
      c0=$(tracker_ticks); w0=$(date +%s.%N)
      wait "$gen"
      c1=$(tracker_ticks); w1=$(date +%s.%N)
      stop_tracker
      line=$(cat "$resultf")
      if [ -z "$line" ]; then log "  [$t $g] no RESULT line (see $OUT_DIR/gen.$g.*.txt)"; printf '%s\t%s\t%s\tFAILED\n' "$round" "$t" "$g" >>"$RESULTS"; continue; fi
      cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$CLK_TCK" -v w0="$w0" -v w1="$w1" 'BEGIN { printf "%.2f", (b - a) / hz / (w1 - w0) }')
      echo "$line" | awk -v r="$round" -v t="$t" -v g="$g" -v cpu="$cpu" '{
        for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r, t, g, v["announce"], v["msgs"], cpu, v["gen_cpu"], v["errors"], v["timeouts"] }' >>"$RESULTS"
      log "  round $round  $t  <- $g: $line tracker_cpu=$cpu"
    done
  done
done

echo
echo "WebTorrent trackers, one generator ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, tracker on CPU $TRACKER_CPU, generator on CPU $LOAD_CPU;" \
  "$CONNECTIONS connections, $OFFERS offers per announce, ${DURATION}s x $ROUNDS round(s); medians of rates, means of CPU)"
awk -F'\t' -v trackers="$TRACKERS" -v generators="$GENERATORS" '
  NR == 1 || $4 == "FAILED" { next }
  { key = $2 SUBSEP $3; k = ++n[key]; ann[key, k] = $4; msg[key, k] = $5; tcpu[key] += $6; gcpu[key] += $7; err[key] += $8; tmo[key] += $9 }
  function median(a, key, k,   x, i, j, t) {
    for (i = 1; i <= k; i++) x[i] = a[key, i] + 0
    for (i = 2; i <= k; i++) { t = x[i]; j = i - 1; while (j >= 1 && x[j] > t) { x[j + 1] = x[j]; j-- } x[j + 1] = t }
    return (k % 2) ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2
  }
  END {
    nt = split(trackers, T, " "); ng = split(generators, G, " ")
    printf "%-20s %-9s %11s %12s %8s %8s %7s %9s %9s %9s\n", "tracker", "generator", "announce/s", "srv msgs/s", "trk CPU", "gen CPU", "errors", "timeouts", "ratio", "per CPU-s"
    for (b = 1; b <= ng; b++) {
      ref = ""; refcpu = 0; key = "bittorrent-tracker" SUBSEP G[b]
      if (n[key]) { ref = median(ann, key, n[key]); refcpu = tcpu[key] / n[key] }
      for (a = 1; a <= nt; a++) {
        key = T[a] SUBSEP G[b]; k = n[key]; if (!k) { printf "%-20s %-9s FAILED\n", T[a], G[b]; continue }
        m = median(ann, key, k); c = tcpu[key] / k
        printf "%-20s %-9s %11.0f %12.0f %8.2f %8.2f %7d %9d", T[a], G[b], m, median(msg, key, k), c, gcpu[key] / k, err[key] / k, tmo[key] / k
        if (ref != "" && ref > 0) printf " %9.2f %9.2f", m / ref, (c > 0 && refcpu > 0) ? (m / c) / (ref / refcpu) : 0
        printf "\n"
      }
    }
    print "ratio: announces/s over bittorrent-tracker'\''s with the same generator; per CPU-s: the same per tracker CPU-second"
  }' "$RESULTS"
echo "raw results: $RESULTS"
