package io.ringkv.bench.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * When a run's slow calls happened, next to what the nodes' RocksDB did at the time: for
 * scripts/bench.sh with {@code BENCH_BURSTS=1}, which runs YCSB with one interval histogram per
 * second ({@code -p status.interval=1}) and keeps each node's RocksDB {@code LOG}.
 *
 * <p>Why: the p99.9 of a run is a few thousand calls out of millions, and a mean or a profile
 * cannot say whether they are spread evenly (queueing on a busy machine) or come in bursts (one
 * event that stalls many calls at once). Counting per second the calls over a threshold, and
 * setting each second against the nodes' memtable switches, flushes and compactions (RocksDB's
 * own LOG, with its event times), says which.
 *
 * <p>A node's <b>flush window</b> runs from its memtable switch (the write that filled the
 * memtable) through the sync of the write-ahead log file it closed to the end of the flush; its
 * <b>compaction window</b> from a compaction's start to its end. A second of the run counts as in
 * a window if it overlaps one, the window extended by the threshold (a call that ends up to that
 * long after a window may have waited in it).
 *
 * <p>Usage: {@code Bursts HDR_DIR WARMUP_SECONDS THRESHOLD_MS ROCKSDB_LOG...}; the logs' times are
 * read in this machine's time zone (RocksDB writes local time; the nodes ran here).
 */
public final class Bursts {

  private static final DateTimeFormatter LOG_TIME =
      DateTimeFormatter.ofPattern("yyyy/MM/dd-HH:mm:ss.SSSSSS");
  private static final Pattern MICROS = Pattern.compile("\"time_micros\": (\\d+)");
  private static final Pattern EVENT = Pattern.compile("\"event\": \"([a-z_]+)\"");
  private static final Pattern JOB = Pattern.compile("\"job\": (\\d+)");

  private Bursts() {}

  /** What one node's RocksDB did, in epoch milliseconds. */
  record NodeEvents(String node, List<long[]> flushes, List<long[]> compactions,
      List<Long> walSyncMillis) {}

  public static void main(String[] args) throws IOException {
    if (args.length < 4) {
      System.err.println("usage: Bursts HDR_DIR WARMUP_SECONDS THRESHOLD_MS ROCKSDB_LOG...");
      System.exit(2);
    }
    Map<String, List<Histogram>> intervals = RunSummary.readIntervals(Path.of(args[0]));
    long warmupMillis = 1000L * Long.parseLong(args[1]);
    long thresholdMillis = Long.parseLong(args[2]);
    List<NodeEvents> nodes = new ArrayList<>();
    for (int i = 3; i < args.length; i++) {
      Path log = Path.of(args[i]);
      nodes.add(parse(log.getFileName().toString().replaceAll("\\..*", ""),
          Files.readAllLines(log, StandardCharsets.UTF_8), ZoneId.systemDefault()));
    }
    report(intervals, warmupMillis, thresholdMillis, nodes, System.out);
  }

  /**
   * A node's flush and compaction windows from its RocksDB LOG. A flush window opens at the
   * memtable switch ("New memtable created") and closes at the flush's {@code flush_finished}
   * event; the time from "Syncing log" to {@code flush_started} is the sync of the closed WAL.
   */
  static NodeEvents parse(String node, List<String> lines, ZoneId zone) {
    List<long[]> flushes = new ArrayList<>();
    List<long[]> compactions = new ArrayList<>();
    List<Long> syncs = new ArrayList<>();
    Map<String, Long> compactionStarts = new HashMap<>();
    long switchedAt = -1;
    long syncingAt = -1;
    for (String line : lines) {
      if (line.contains("New memtable created")) {
        long t = lineTime(line, zone);
        // Atomic flush switches every column family at once: one window per switch.
        if (switchedAt < 0) {
          switchedAt = t;
        }
      } else if (line.contains("Syncing log #")) {
        syncingAt = lineTime(line, zone);
      } else if (line.contains("EVENT_LOG_v1")) {
        Matcher e = EVENT.matcher(line);
        Matcher m = MICROS.matcher(line);
        if (!e.find() || !m.find()) {
          continue;
        }
        long t = Long.parseLong(m.group(1)) / 1000;
        Matcher j = JOB.matcher(line);
        String job = j.find() ? j.group(1) : "?";
        switch (e.group(1)) {
          case "flush_started" -> {
            if (syncingAt >= 0) {
              syncs.add(t - syncingAt);
              syncingAt = -1;
            }
            if (switchedAt < 0) {
              switchedAt = t; // a flush asked for without a switch logged (a manual flush)
            }
          }
          case "flush_finished" -> {
            if (switchedAt >= 0) {
              flushes.add(new long[] {switchedAt, t});
              switchedAt = -1;
            }
          }
          case "compaction_started" -> compactionStarts.put(job, t);
          case "compaction_finished" -> {
            Long start = compactionStarts.remove(job);
            if (start != null) {
              compactions.add(new long[] {start, t});
            }
          }
          default -> { }
        }
      }
    }
    return new NodeEvents(node, flushes, compactions, syncs);
  }

  private static long lineTime(String line, ZoneId zone) {
    return LocalDateTime.parse(line.substring(0, 26), LOG_TIME).atZone(zone).toInstant()
        .toEpochMilli();
  }

  /** Prints where the slow calls of the measured window fall; returns the per-class counts. */
  static Map<String, long[]> report(Map<String, List<Histogram>> intervals, long warmupMillis,
      long thresholdMillis, List<NodeEvents> nodes, PrintStream out) {
    // The intervals of all call types, by status tick (the logs of two call types start each
    // interval a millisecond or so apart): {earliest start, earliest end, calls, slow calls}.
    TreeMap<Long, long[]> seconds = new TreeMap<>();
    long first = Long.MAX_VALUE;
    for (Map.Entry<String, List<Histogram>> e : intervals.entrySet()) {
      for (Histogram h : e.getValue()) {
        first = Math.min(first, h.getStartTimeStamp());
      }
    }
    for (Map.Entry<String, List<Histogram>> e : intervals.entrySet()) {
      if (RunSummary.NOT_CALLS.contains(e.getKey())) {
        continue;
      }
      for (Histogram h : e.getValue()) {
        if (h.getStartTimeStamp() < first + warmupMillis) {
          continue;
        }
        long slow = h.getCountBetweenValues(thresholdMillis * 1000 + 1, h.getMaxValue());
        long tick = Math.round((h.getStartTimeStamp() - first) / 1000.0);
        long[] s = seconds.computeIfAbsent(tick,
            k -> new long[] {h.getStartTimeStamp(), h.getEndTimeStamp(), 0, 0});
        s[0] = Math.min(s[0], h.getStartTimeStamp());
        s[1] = Math.min(s[1], h.getEndTimeStamp());
        s[2] += h.getTotalCount();
        s[3] += slow;
      }
    }
    String flushing = "a node switching memtables or flushing";
    String compacting = "a node compacting (and none flushing)";
    String neither = "neither";
    Map<String, long[]> classes = new LinkedHashMap<>();
    for (String c : List.of(flushing, compacting, neither)) {
      classes.put(c, new long[3]); // seconds, calls, slow calls
    }
    long calls = 0;
    long slowCalls = 0;
    long slowSeconds = 0;
    for (long[] s : seconds.values()) {
      String c = overlaps(nodes, true, s[0], s[1], thresholdMillis) ? flushing
          : overlaps(nodes, false, s[0], s[1], thresholdMillis) ? compacting : neither;
      long[] k = classes.get(c);
      k[0]++;
      k[1] += s[2];
      k[2] += s[3];
      calls += s[2];
      slowCalls += s[3];
      slowSeconds += s[3] > 0 ? 1 : 0;
    }
    out.printf(Locale.ROOT, "calls over %d ms while measured: %d of %d (%.3f%%), in %d of %d"
        + " seconds%n", thresholdMillis, slowCalls, calls, calls == 0 ? 0 : 100.0 * slowCalls
        / calls, slowSeconds, seconds.size());
    out.printf(Locale.ROOT, "%-40s %8s %10s %10s %8s %7s%n", "seconds with", "seconds",
        "calls", "slow", "slow/s", "share");
    for (Map.Entry<String, long[]> e : classes.entrySet()) {
      long[] k = e.getValue();
      out.printf(Locale.ROOT, "%-40s %8d %10d %10d %8.1f %6.0f%%%n", e.getKey(), k[0], k[1],
          k[2], k[0] == 0 ? 0 : (double) k[2] / k[0], slowCalls == 0 ? 0 : 100.0 * k[2]
          / slowCalls);
    }
    for (NodeEvents n : nodes) {
      List<Long> syncs = new ArrayList<>(n.walSyncMillis());
      syncs.sort(null);
      out.printf(Locale.ROOT, "%s: %d flushes, %d compactions in its LOG (the load included);"
          + " WAL sync before a flush: %s%n",
          n.node(), n.flushes().size(), n.compactions().size(), syncs.isEmpty() ? "none logged"
          : "median " + syncs.get(syncs.size() / 2) + " ms, max " + syncs.get(syncs.size() - 1)
          + " ms");
    }
    return classes;
  }

  private static boolean overlaps(List<NodeEvents> nodes, boolean flush, long from, long to,
      long margin) {
    for (NodeEvents n : nodes) {
      for (long[] w : flush ? n.flushes() : n.compactions()) {
        if (w[0] < to && w[1] + margin > from) {
          return true;
        }
      }
    }
    return false;
  }
}
