#!/usr/bin/env bash
# ringkv benchmarks. See docs/BENCHMARKS.md for what the numbers mean.
#
#   scripts/bench.sh [WORKLOAD] [YCSB OPTIONS...]
#       Builds what is missing or stale, starts a local 3-node cluster (N=3, R=2, W=2) from
#       server/target/ringkv-server.jar with its data in a temp dir, loads WORKLOAD (default
#       workloada; a letter, a name under bench/workloads/, or a path), runs it with YCSB's
#       site.ycsb.Client (-threads 16 unless given), stops the cluster and prints throughput,
#       latency per operation, each node's peak resident memory, and as its last line:
#         ops_per_sec=X p50_ms=Y p99_ms=Z p999_ms=W
#       YCSB options are passed to both phases, e.g.  -p operationcount=600000  -threads 8
#
#   scripts/bench.sh floor [TARGET_OPS_PER_SEC]
#       The floor under the cluster's latency on this machine: three bare node JVMs and a client
#       JVM with ringkv's threads and messages for workload A (half reads, half updates, an update
#       a read then a write; each request fanned out to both peers and answered on two of three)
#       and no work in them (io.ringkv.bench.floor). Closed loop
#       with 16 threads, throttled to the target if given; measures BENCH_FLOOR_SECONDS (default
#       120) after BENCH_WARMUP_SECONDS; prints the CPU split and the same last line as a run.
#       BENCH_FLOOR_ALONE=1: the nodes do not call each other (one hop: client, node, client).
#       BENCH_FLOOR_ROCKSDB=1: each node's storage thread reads (and for a write, writes) a random
#       one of 20,000 keys in a RocksDB of ringkv's engine and tuning (data under the output dir).
#
#   scripts/bench.sh jmh [JMH OPTIONS...]
#       The JMH micro-benchmarks (bench/src/main/java/io/ringkv/bench/jmh), e.g.
#         scripts/bench.sh jmh RingBench -f 1 -wi 2 -i 3
#
# Environment:
#   BENCH_PORT_BASE     first of the three node ports (default 17071)
#   BENCH_SERVER_OPTS   JVM options of every node (default -Xms256m -Xmx1g)
#   BENCH_SERVER_FLAGS  more ringkv-server flags for every node, e.g. --storage.object-cache-mib 8
#   BENCH_CLIENT_OPTS   JVM options of the YCSB client (default -Xmx1g and Netty's leak detector off)
#   BENCH_WARMUP_SECONDS  the first seconds of the run, not measured, in the same YCSB JVM as the
#                       measured rest, so that the JIT has compiled the hot paths of all four JVMs,
#                       the client's included (default 60, rounded up to YCSB's 10 s status
#                       interval; 0: measure the whole run). A maxexecutiontime you give is the
#                       measured time: the run lasts the warm-up longer. Given neither it nor an
#                       operationcount, the run measures 60 s after the warm-up.
#   BENCH_JFR=1         record a JFR profile of node n1 while measured (n1.jfr in the output)
#   BENCH_BURSTS=1      one latency histogram per second (-p status.interval=1) and each node's
#                       RocksDB LOG kept (nN.rocksdb.LOG): the report adds when the calls over
#                       BENCH_BURSTS_MS (default 20) happened, against the nodes' memtable
#                       switches, flushes and compactions (io.ringkv.bench.report.Bursts)
#   BENCH_OUT           where logs and results go (default: a new dir under ${TMPDIR:-/tmp})
#   BENCH_KEEP_DATA=1   keep the nodes' data directories
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server_jar="$root/server/target/ringkv-server.jar"
bench_jar="$root/bench/target/ringkv-bench.jar"
bench_lib="$root/bench/target/lib"
java="java"
if [[ -n "${JAVA:-}" ]]; then java="$JAVA"; elif [[ -n "${JAVA_HOME:-}" ]]; then java="$JAVA_HOME/bin/java"; fi

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# CPU time in clock ticks: of a process (user + system, all threads), and of the machine (busy, all).
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# busy, total, interrupt time (loopback TCP is processed there, on behalf of every process), and
# steal: time a virtual machine's CPUs were runnable but the host ran something else.
machine_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9, $7+$8, $9}' /proc/stat; }

# ---- build: only when a jar is missing or a source file is newer than it ----------------------
stale() {
  local jar="$1"; shift
  [[ ! -f "$jar" ]] && return 0
  [[ -n "$(find "$@" -newer "$jar" -type f \( -name '*.java' -o -name 'pom.xml' -o -name '*.proto' \
    -o -name '*.yaml' -o -name '*.xml' \) -print -quit 2>/dev/null)" ]]
}
build_if_needed() {
  local mods=(proto config ring storage gossip server client)
  local srcs=("$root/pom.xml")
  for m in "${mods[@]}"; do srcs+=("$root/$m/src" "$root/$m/pom.xml"); done
  if stale "$server_jar" "${srcs[@]}" || stale "$bench_jar" "${srcs[@]}" "$root/bench/src" \
      "$root/bench/pom.xml" || [[ ! -d "$bench_lib" ]]; then
    log "building (./mvnw -DskipTests package -pl server,bench -am) ..."
    # Offline first (the usual case: everything is in ~/.m2); online if something is missing.
    (cd "$root" && { ./mvnw -B -q -o -DskipTests package -pl server,bench -am \
      || ./mvnw -B -q -DskipTests package -pl server,bench -am; }) >&2 \
      || die "build failed"
  fi
}

build_if_needed
classpath="$bench_jar:$bench_lib/*"

if [[ "${1:-}" == "jmh" ]]; then
  shift
  exec "$java" ${BENCH_JMH_OPTS:-} -cp "$classpath" org.openjdk.jmh.Main "$@"
fi

# ---- the floor: ringkv's processes, threads and messages with no work in them -----------------
floor() { # [target ops/s]
  local target="${1:-0}" warm="${BENCH_WARMUP_SECONDS:-60}" secs="${BENCH_FLOOR_SECONDS:-120}"
  [[ "$target" =~ ^[0-9]+$ ]] || die "floor: the target is a number of operations a second, not '$target'"
  [[ "$warm" =~ ^[0-9]+$ && "$secs" =~ ^[0-9]+$ ]] \
    || die "floor: BENCH_WARMUP_SECONDS and BENCH_FLOOR_SECONDS must be numbers of seconds"
  local base="${BENCH_PORT_BASE:-17071}" p i
  local ports=("$base" "$((base + 1))" "$((base + 2))") targets=()
  for p in "${ports[@]}"; do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && die "port $p is in use; set BENCH_PORT_BASE"
    targets+=("127.0.0.1:$p")
  done
  # Logback reports its own set-up on stdout when logback.xml is on the class path twice.
  local quiet=-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener
  local out="${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/ringkv-floor.XXXXXX")}"
  mkdir -p "$out"
  pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
  for i in 0 1 2; do
    local peers=("${targets[@]:0:$i}" "${targets[@]:$((i + 1))}")
    [[ "${BENCH_FLOOR_ALONE:-0}" == 1 ]] && peers=()
    local rocks=""
    [[ "${BENCH_FLOOR_ROCKSDB:-0}" == 1 ]] && rocks="-Dfloor.rocksdb=$out/data/f$((i + 1))"
    # shellcheck disable=SC2086
    "$java" ${BENCH_SERVER_OPTS:--Xms256m -Xmx1g} $rocks \
      -Dio.grpc.netty.shaded.io.netty.leakDetection.level=disabled $quiet -cp "$classpath" \
      io.ringkv.bench.floor.FloorNode "f$((i + 1))" "${ports[$i]}" "${peers[@]}" \
      >"$out/f$((i + 1)).log" 2>&1 &
    pids+=("$!")
  done
  for i in 0 1 2; do
    for ((p = 0; p < 300; p++)); do
      (exec 3<>"/dev/tcp/127.0.0.1/${ports[$i]}") 2>/dev/null && break
      kill -0 "${pids[$i]}" 2>/dev/null || die "floor node f$((i + 1)) exited: $(tail -3 "$out/f$((i + 1)).log")"
      sleep 0.1
    done
  done
  log "floor: 3 nodes on ports ${ports[*]}, 16 client threads, target ${target} ops/s (0: none)," \
    "${warm} s warm-up then ${secs} s measured; output in $out"
  # shellcheck disable=SC2086
  "$java" ${BENCH_CLIENT_OPTS:--Xmx1g -Dio.grpc.netty.shaded.io.netty.leakDetection.level=disabled} \
    $quiet -cp "$classpath" io.ringkv.bench.floor.FloorClient 16 "$target" "$warm" "$secs" \
    "${targets[@]}" >"$out/client.txt" 2>"$out/client.err" &
  local client=$! at0 c0
  sleep "$warm"
  at0="$(machine_ticks) $(ticks "${pids[0]}") $(ticks "${pids[1]}") $(ticks "${pids[2]}")"
  c0=$(ticks "$client")
  local c1=$c0 t
  while kill -0 "$client" 2>/dev/null; do # the client's ticks, until its /proc entry goes
    t=$(ticks "$client"); [[ "$t" -gt 0 ]] && c1=$t
    sleep 0.5
  done
  local at1
  at1="$(machine_ticks) $(ticks "${pids[0]}") $(ticks "${pids[1]}") $(ticks "${pids[2]}")"
  wait "$client" || die "floor client failed: $(tail -5 "$out/client.err")"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$out/data"
  local shape="1 network + 1 storage thread each"
  [[ "${BENCH_FLOOR_ALONE:-0}" == 1 ]] && shape+=", not calling each other"
  [[ "${BENCH_FLOOR_ROCKSDB:-0}" == 1 ]] && shape+=", RocksDB reads and writes"
  echo "== ringkv floor: 3 bare nodes ($shape) on loopback, 16 client threads," \
    "target $target ops/s, $(nproc) cores"
  awk -v a="$at0" -v b="$at1" -v c=$((c1 - c0)) -v cpus="$(nproc)" 'BEGIN {
    split(a, x, " "); split(b, y, " "); t = y[2] - x[2]; if (t <= 0) t = 1; k = cpus / t;
    n = (y[5] - x[5]) + (y[6] - x[6]) + (y[7] - x[7]);
    printf "CPU while measured: machine %.0f%% busy; in cores: nodes %.2f, client %.2f,",
      100 * (y[1] - x[1]) / t, k * n, k * c;
    printf " interrupts %.2f, steal %.2f\n", k * (y[3] - x[3]), k * (y[4] - x[4]) }'
  cat "$out/client.txt"
}
if [[ "${1:-}" == "floor" ]]; then
  shift
  floor "$@"
  exit 0
fi

# ---- which workload --------------------------------------------------------------------------
workload="${1:-workloada}"
[[ $# -gt 0 ]] && shift
case "$workload" in
  [a-f]) workload_file="$root/bench/workloads/workload$workload" ;;
  workload[a-f]) workload_file="$root/bench/workloads/$workload" ;;
  *) workload_file="$workload" ;;
esac
[[ -f "$workload_file" ]] || die "no workload file $workload_file (try a, b, c, f or a path)"
ycsb_opts=("$@")
threads=16
max_seconds=""
op_count=""
for ((i = 0; i < ${#ycsb_opts[@]}; i++)); do
  [[ "${ycsb_opts[$i]}" == "-threads" ]] && threads="${ycsb_opts[$((i + 1))]:-16}"
  [[ "${ycsb_opts[$i]}" =~ ^maxexecutiontime=([0-9]+)$ ]] && max_seconds="${BASH_REMATCH[1]}"
  [[ "${ycsb_opts[$i]}" =~ ^operationcount= ]] && op_count=given
done
warmup="${BENCH_WARMUP_SECONDS:-60}"
[[ "$warmup" =~ ^[0-9]+$ ]] || die "BENCH_WARMUP_SECONDS must be a number of seconds, not '$warmup'"
warmup=$(((warmup + 9) / 10 * 10))

out="${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/ringkv-bench.XXXXXX")}"
mkdir -p "$out"
base="${BENCH_PORT_BASE:-17071}"
ports=("$base" "$((base + 1))" "$((base + 2))")
nodes=(n1 n2 n3)
# Each node serves its Prometheus metrics here; the report reads read repairs and GC pauses.
metrics_ports=("$((base + 10))" "$((base + 11))" "$((base + 12))")
for p in "${ports[@]}" "${metrics_ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    die "port $p is in use; set BENCH_PORT_BASE to a free range"
  fi
done
members="n1@127.0.0.1:${ports[0]},n2@127.0.0.1:${ports[1]},n3@127.0.0.1:${ports[2]}"
hosts="127.0.0.1:${ports[0]},127.0.0.1:${ports[1]},127.0.0.1:${ports[2]}"

pids=()
sampler=""
cleanup() {
  [[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ "${BENCH_KEEP_DATA:-0}" != 1 ]]; then rm -rf "$out/data"; fi
}
trap cleanup EXIT

# ---- the cluster -----------------------------------------------------------------------------
log "output in $out"
log "starting 3 nodes on ports ${ports[*]} (N=3 R=2 W=2) ..."
for i in 0 1 2; do
  RINGKV_JAVA_OPTS="${BENCH_SERVER_OPTS:--Xms256m -Xmx1g}" JAVA="$java" \
    "$root/scripts/ringkv-server" --node-id "${nodes[$i]}" --port "${ports[$i]}" \
    --data-dir "$out/data/${nodes[$i]}" --members "$members" \
    --replication.n 3 --replication.r 2 --replication.w 2 --metrics.port "${metrics_ports[$i]}" \
    ${BENCH_SERVER_FLAGS:-} \
    >"$out/${nodes[$i]}.log" 2>&1 &
  pids+=("$!") # ringkv-server execs java: this is the JVM's pid
done
for i in 0 1 2; do
  for ((t = 0; t < 600; t++)); do
    kill -0 "${pids[$i]}" 2>/dev/null || die "node ${nodes[$i]} exited: $(tail -5 "$out/${nodes[$i]}.log")"
    (exec 3<>"/dev/tcp/127.0.0.1/${ports[$i]}") 2>/dev/null && break
    sleep 0.1
  done
  (exec 3<>"/dev/tcp/127.0.0.1/${ports[$i]}") 2>/dev/null || die "node ${nodes[$i]} did not listen in 60 s"
done

# Sums of the samples of some metrics of a node (Prometheus text from its /metrics), one per line:
# gets it coordinated, read repairs it sent, GC pauses and their total milliseconds.
node_metrics() { # metrics port
  local text
  text=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3 && cat <&3) \
    2>/dev/null) || true
  awk '
    function add(name, v) { s[name] += v }
    /^ringkv_requests_seconds_count\{.*op="get"/ { add("gets", $NF) }
    /^ringkv_read_repairs_total/ { add("repairs", $NF) }
    /^jvm_gc_pause_seconds_count/ { add("pauses", $NF) }
    /^jvm_gc_pause_seconds_sum/ { add("pause_ms", 1000 * $NF) }
    END { printf "%.0f %.0f %.0f %.0f\n", s["gets"], s["repairs"], s["pauses"], s["pause_ms"] }' <<<"$text"
}
# Resident memory of each node every 5 s, to see whether it is flat over the run.
(
  start=$(date +%s)
  echo -e "seconds\tn1_rss_kb\tn2_rss_kb\tn3_rss_kb"
  while true; do
    echo -e "$(($(date +%s) - start))\t$(rss_kb "${pids[0]}")\t$(rss_kb "${pids[1]}")\t$(rss_kb "${pids[2]}")"
    sleep 5
  done
) >"$out/rss.tsv" &
sampler=$!

# ---- YCSB --------------------------------------------------------------------------------------
ycsb() { # phase (load|run) flag (-load|-t) [more YCSB options]
  local phase="$1" flag="$2"
  shift 2
  mkdir -p "$out/$phase"
  # shellcheck disable=SC2086
  # Netty's sampling leak detector (on by default in any JVM) records a stack trace for one buffer
  # in 128: 2 to 3% of the client's CPU in a profile. The nodes turn it off too (ServerMain).
  "$java" ${BENCH_CLIENT_OPTS:--Xmx1g -Dio.grpc.netty.shaded.io.netty.leakDetection.level=disabled} -cp "$classpath" site.ycsb.Client "$flag" \
    -db io.ringkv.bench.ycsb.RingKvDB -P "$workload_file" -threads 16 -s \
    -p "ringkv.hosts=$hosts" \
    -p measurementtype=hdrhistogram -p hdrhistogram.fileoutput=true \
    -p "hdrhistogram.output.path=$out/$phase/" -p hdrhistogram.percentiles=50,99,99.9 \
    "${ycsb_opts[@]}" "$@" >"$out/$phase.txt" 2>"$out/$phase.err" &
  local ycsb_pid=$!
  # The client's CPU ticks, sampled until it exits (its /proc entry goes with it).
  (while kill -0 "$ycsb_pid" 2>/dev/null; do
     t=$(ticks "$ycsb_pid"); [[ "$t" -gt 0 ]] && echo "$t" >"$out/$phase.client-ticks"
     sleep 0.5
   done) &
  local ticks_pid=$!
  # YCSB's status line every 10 s, to show progress.
  tail -n +1 -F --pid="$ycsb_pid" "$out/$phase.err" 2>/dev/null \
    | grep --line-buffered -E ' sec: ' | sed -u "s/^/bench: $phase: /" >&2 &
  local tail_pid=$!
  local rc=0
  wait "$ycsb_pid" || rc=$?
  wait "$tail_pid" 2>/dev/null || true
  wait "$ticks_pid" 2>/dev/null || true
  [[ $rc -eq 0 ]] || die "YCSB $phase failed (exit $rc): $(tail -5 "$out/$phase.err")"
}

summary() { # phase [warm-up seconds]
  "$java" -cp "$classpath" io.ringkv.bench.report.RunSummary \
    "$out/$1.txt" "$out/$1" "$out/$1.summary" "${2:-0}"
}

log "loading $(basename "$workload_file") with $threads threads ..."
ycsb load -load
load_summary="$(summary load)"
rss_after_load=("$(rss_kb "${pids[0]}")" "$(rss_kb "${pids[1]}")" "$(rss_kb "${pids[2]}")")

# Given neither a time nor a count, the run measures a minute after its warm-up (the workload
# files' 60,000 operations would end within the warm-up).
run_opts=()
if [[ -z "$max_seconds" && -z "$op_count" && "$warmup" -gt 0 ]]; then
  max_seconds=60
  run_opts=(-p operationcount=2000000000)
fi
[[ -n "$max_seconds" ]] && run_opts+=(-p "maxexecutiontime=$((max_seconds + warmup))")
[[ "${BENCH_BURSTS:-0}" == 1 ]] && run_opts+=(-p status.interval=1)
log "running $(basename "$workload_file") with $threads threads (the first $warmup s not measured) ..."
run_start=$(date +%s)
# Who used the CPU is counted from the end of the warm-up: a snapshot then, taken in the background
# (and the JFR recording, if asked for, starts then).
(sleep "$warmup"
 if [[ "${BENCH_JFR:-0}" == 1 ]]; then
   jcmd "${pids[0]}" JFR.start name=bench settings=profile filename="$out/n1.jfr" >/dev/null
   log "JFR recording node n1 while measured: $out/n1.jfr"
 fi
 read -r b t i st < <(machine_ticks)
 c=$(cat "$out/run.client-ticks" 2>/dev/null || echo 0)
 for n in 0 1 2; do node_metrics "${metrics_ports[$n]}"; done >"$out/run.metrics-at-warmup"
 echo "$b $t $i $st $(ticks "${pids[0]}") $(ticks "${pids[1]}") $(ticks "${pids[2]}") $c" \
   >"$out/run.at-warmup") &
snapshot_pid=$!
ycsb run -t "${run_opts[@]}"
read -r busy1 total1 irq1 steal1 < <(machine_ticks)
node1=("$(ticks "${pids[0]}")" "$(ticks "${pids[1]}")" "$(ticks "${pids[2]}")")
run_seconds=$(($(date +%s) - run_start))
if [[ "${BENCH_JFR:-0}" == 1 ]]; then
  jcmd "${pids[0]}" JFR.stop name=bench >/dev/null 2>&1 || true
fi
kill "$snapshot_pid" 2>/dev/null || true
wait "$snapshot_pid" 2>/dev/null || true
[[ -s "$out/run.at-warmup" ]] \
  || die "the run ended within its $warmup s warm-up: nothing was measured (run longer)"
read -r busy0 total0 irq0 steal0 n1_0 n2_0 n3_0 client0 <"$out/run.at-warmup"
node0=("$n1_0" "$n2_0" "$n3_0")
run_summary="$(summary run "$warmup")" || die "the run could not be summarized"

# Who used the CPU during the run: the machine's busy share, split into the nodes, the YCSB
# client and everything else (a build or test of someone else sharing the machine skews results).
cpus=$(nproc)
client_run_ticks=$(($(cat "$out/run.client-ticks" 2>/dev/null || echo 0) - client0))
# Steal is counted apart: a run whose machine had its CPUs taken by the host measured less than
# this code can do (and with a longer tail).
cpu_line=$(awk -v b=$((busy1 - busy0)) -v t=$((total1 - total0)) -v i=$((irq1 - irq0)) \
  -v s=$((steal1 - steal0)) \
  -v n1=$((node1[0] - node0[0])) -v n2=$((node1[1] - node0[1])) -v n3=$((node1[2] - node0[2])) \
  -v c="$client_run_ticks" -v cpus="$cpus" 'BEGIN {
    if (t <= 0) t = 1; o = b - n1 - n2 - n3 - c - i - s; if (o < 0) o = 0; k = cpus / t;
    printf "machine %.0f%% busy of %d cores; in cores: nodes %.2f (n1 %.2f, n2 %.2f, n3 %.2f),",
      100 * b / t, cpus, k * (n1 + n2 + n3), k * n1, k * n2, k * n3;
    printf " YCSB client %.2f, interrupts (loopback TCP) %.2f, other processes %.2f,",
      k * c, k * i, k * o;
    printf " stolen by the host (steal) %.2f", k * s }')

# What the nodes did while measured, from their metrics: read repairs per get, GC pauses.
for n in 0 1 2; do node_metrics "${metrics_ports[$n]}"; done >"$out/run.metrics-at-end"
nodes_line=$(paste -d' ' "$out/run.metrics-at-warmup" "$out/run.metrics-at-end" | awk '
  { g += $5 - $1; r += $6 - $2; pauses[NR] = $7 - $3; ms[NR] = $8 - $4 }
  END {
    printf "gets coordinated %d, read repairs %d (%.1f per 1000 gets); GC pauses:", g, r,
      (g > 0 ? 1000 * r / g : 0)
    for (n = 1; n <= NR; n++)
      printf "%s n%d %d (%.0f ms in all)", (n > 1 ? "," : ""), n, pauses[n], ms[n]
  }')

# Peak resident memory, read before the nodes stop.
memory=()
for i in 0 1 2; do
  memory+=("$(printf '%s: peak RSS (VmHWM) %d MiB; RSS after load %d MiB, at end of run %d MiB' \
    "${nodes[$i]}" $(($(hwm_kb "${pids[$i]}") / 1024)) $((rss_after_load[$i] / 1024)) \
    $(($(rss_kb "${pids[$i]}") / 1024)))")
done
kill "$sampler" 2>/dev/null || true
sampler=""
for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pids=()

# ---- report ------------------------------------------------------------------------------------
echo "== ringkv YCSB $(basename "$workload_file"): 3 nodes on loopback (N=3 R=2 W=2), $threads client threads, $cpus cores shared by client and nodes"
echo "   $("$java" -version 2>&1 | head -1); YCSB 0.17.0; options: ${ycsb_opts[*]:-(none)}"
echo "-- load"
echo "$load_summary" | head -1
if [[ "$warmup" -gt 0 ]]; then
  echo "-- run (wall ${run_seconds} s; the first $warmup s a warm-up in the same JVMs, not measured)"
else
  echo "-- run (wall ${run_seconds} s)"
fi
echo "CPU while measured: $cpu_line"
echo "Nodes while measured: $nodes_line"
echo "$run_summary"
echo "-- memory (resident set of each node; samples every 5 s in $out/rss.tsv)"
printf '%s\n' "${memory[@]}"
if [[ "${BENCH_BURSTS:-0}" == 1 ]]; then
  for n in "${nodes[@]}"; do cp "$out/data/$n/LOG" "$out/$n.rocksdb.LOG" 2>/dev/null || true; done
  echo "-- when the slow calls happened (per second while measured; RocksDB events of each node)"
  "$java" -cp "$classpath" io.ringkv.bench.report.Bursts "$out/run" "$warmup" \
    "${BENCH_BURSTS_MS:-20}" "$out"/n?.rocksdb.LOG || log "bursts: no report"
fi
echo "-- files: $out (YCSB output run.txt/load.txt, HdrHistogram logs, node logs)"
cat "$out/run.summary"
