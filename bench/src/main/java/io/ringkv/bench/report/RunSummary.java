package io.ringkv.bench.report;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * Summarizes one YCSB run for scripts/bench.sh: per operation and over all operations, the count,
 * mean, p50, p99, p99.9 and max latency, from the HdrHistogram logs YCSB writes with {@code
 * -p measurementtype=hdrhistogram -p hdrhistogram.fileoutput=true}, plus YCSB's own throughput.
 *
 * <p>Why read the logs rather than YCSB's printed percentiles: YCSB prints them per operation only,
 * and percentiles cannot be averaged; the logs hold the histograms, which add exactly. "All
 * operations" is every database call YCSB measured (READ, UPDATE, INSERT, DELETE and their -FAILED
 * twins); the composite READ-MODIFY-WRITE of workload F is shown but not added again, since its
 * read and update are already counted as calls; CLEANUP is not an operation.
 *
 * <p>The logs are interval histograms (one per status interval, {@code -s}), so the summary can
 * leave out a <b>warm-up</b>: every JVM here starts cold, and on 2 cores the JIT takes tens of
 * seconds, the YCSB client's included (a new JVM for each phase). Given a warm-up of W seconds,
 * the measured window is the run after about the first W seconds (from the interval start nearest
 * to W), and its throughput is its calls over its length; the whole run, warm-up included, is
 * still printed first with YCSB's own throughput. The summary also reports the <b>second half</b>
 * of the measured window alone.
 *
 * <p>Usage: {@code RunSummary YCSB_OUTPUT HDR_DIR SUMMARY_LINE_FILE [WARMUP_SECONDS]}. Prints the
 * tables to stdout and writes {@code ops_per_sec=X p50_ms=Y p99_ms=Z p999_ms=W} (the measured
 * window; the whole run without a warm-up) to the third file.
 */
public final class RunSummary {

  /** Logged operations that are not database calls of their own (see the class comment). */
  static final Set<String> NOT_CALLS = Set.of("READ-MODIFY-WRITE", "CLEANUP", "INIT");
  private static final Pattern LINE =
      Pattern.compile("^\\[([A-Z-]+)\\], ([^,]+), ([-0-9.Ee]+)\\s*$");

  private RunSummary() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3 && args.length != 4) {
      System.err.println("usage: RunSummary YCSB_OUTPUT HDR_DIR SUMMARY_LINE_FILE"
          + " [WARMUP_SECONDS]");
      System.exit(2);
    }
    List<String> output = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
    Map<String, List<Histogram>> intervals = readIntervals(Path.of(args[1]));
    Map<String, Map<String, Double>> ycsb = parse(output);
    long warmupMillis = args.length == 4 ? 1000L * Long.parseLong(args[3]) : 0;
    String line;
    try {
      line = report(ycsb, intervals, warmupMillis, System.out);
    } catch (IllegalStateException e) {
      System.err.println("RunSummary: " + e.getMessage());
      System.exit(1);
      return;
    }
    Files.writeString(Path.of(args[2]), line + "\n", StandardCharsets.UTF_8);
  }

  /** Prints the tables; returns the one-line summary of the whole run. */
  static String report(Map<String, Map<String, Double>> ycsb,
      Map<String, List<Histogram>> intervals, PrintStream out) {
    return report(ycsb, intervals, 0, out);
  }

  /**
   * Prints the tables; returns the one-line summary of the measured window: the run after its
   * first {@code warmupMillis} (the whole run if 0).
   *
   * @throws IllegalStateException if no interval starts after the warm-up
   */
  static String report(Map<String, Map<String, Double>> ycsb,
      Map<String, List<Histogram>> intervals, long warmupMillis, PrintStream out) {
    Map<String, Double> overall = ycsb.getOrDefault("OVERALL", Map.of());
    double throughput = overall.getOrDefault("Throughput(ops/sec)", Double.NaN);
    double runtimeMs = overall.getOrDefault("RunTime(ms)", Double.NaN);
    out.printf(Locale.ROOT, "whole run%s: %.1f s, throughput %.0f ops/s (YCSB [OVERALL])%n",
        warmupMillis > 0 ? " (warm-up included)" : "", runtimeMs / 1000, throughput);
    Histogram all = table(out, ycsb, intervals, Long.MIN_VALUE);

    long start = Long.MAX_VALUE;
    long end = Long.MIN_VALUE;
    for (List<Histogram> list : intervals.values()) {
      for (Histogram h : list) {
        start = Math.min(start, h.getStartTimeStamp());
        end = Math.max(end, h.getEndTimeStamp());
      }
    }
    long measuredFrom = Long.MIN_VALUE;
    if (warmupMillis > 0) {
      // At most half a status interval (5 s) short of the warm-up asked for.
      measuredFrom = nearestStart(intervals, start + warmupMillis,
          Math.max(start, start + warmupMillis - 5_001));
      if (measuredFrom >= end) {
        throw new IllegalStateException("the run ended within its " + warmupMillis / 1000
            + " s warm-up: nothing was measured");
      }
      double seconds = (end - measuredFrom) / 1000.0;
      PrintStream none = new PrintStream(PrintStream.nullOutputStream());
      long calls = table(none, ycsb, intervals, measuredFrom).getTotalCount()
          - sum(intervals.get("READ-MODIFY-WRITE"), measuredFrom).getTotalCount();
      throughput = calls / seconds;
      out.printf(Locale.ROOT, "measured: last %.1f s, after a %.1f s warm-up in the same client"
          + " JVM, throughput %.0f ops/s (from the interval histograms; a read-modify-write"
          + " counts once)%n", seconds, (measuredFrom - start) / 1000.0, throughput);
      all = table(out, ycsb, intervals, measuredFrom);
    }
    if (end > start) {
      long windowStart = warmupMillis > 0 ? measuredFrom : start;
      long from = nearestStart(intervals, windowStart + (end - windowStart) / 2, windowStart);
      if (from < end) {
        double seconds = (end - from) / 1000.0;
        PrintStream none = new PrintStream(PrintStream.nullOutputStream());
        Histogram second = table(none, ycsb, intervals, from);
        long rmw = sum(intervals.get("READ-MODIFY-WRITE"), from).getTotalCount();
        out.printf(Locale.ROOT, "second half%s: last %.1f s, throughput %.0f ops/s (from the "
            + "interval histograms; a read-modify-write counts once)%n",
            warmupMillis > 0 ? " of the measured window" : "", seconds,
            (second.getTotalCount() - rmw) / seconds);
        table(out, ycsb, intervals, from);
      }
    }
    return String.format(Locale.ROOT, "ops_per_sec=%.0f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f",
        throughput, ms(all.getValueAtPercentile(50)), ms(all.getValueAtPercentile(99)),
        ms(all.getValueAtPercentile(99.9)));
  }

  /**
   * The interval start nearest to {@code time} (the later of two as near) and after {@code after},
   * or Long.MAX_VALUE if there is none. Intervals end at YCSB's status ticks, which are 10 s apart
   * but not aligned with the run's start (the first interval is shorter by the client's start-up),
   * so a window cut at exactly {@code time} would lose most of an interval.
   */
  private static long nearestStart(Map<String, List<Histogram>> intervals, long time, long after) {
    long best = Long.MAX_VALUE;
    for (List<Histogram> list : intervals.values()) {
      for (Histogram h : list) {
        long t = h.getStartTimeStamp();
        if (t > after && (best == Long.MAX_VALUE
            || Math.abs(t - time) < Math.abs(best - time)
            || Math.abs(t - time) == Math.abs(best - time) && t > best)) {
          best = t;
        }
      }
    }
    return best;
  }

  /** One table over the intervals that start at or after {@code from}; returns the ALL row. */
  private static Histogram table(PrintStream out, Map<String, Map<String, Double>> ycsb,
      Map<String, List<Histogram>> intervals, long from) {
    boolean whole = from == Long.MIN_VALUE;
    out.printf(Locale.ROOT, "%-20s %10s %8s %8s %8s %8s %9s%s%n",
        "operation", "count", "avg_ms", "p50_ms", "p99_ms", "p999_ms", "max_ms",
        whole ? String.format("%9s", "not_ok") : "");
    Histogram all = new Histogram(3);
    for (Map.Entry<String, List<Histogram>> e : intervals.entrySet()) {
      String op = e.getKey();
      if (op.equals("CLEANUP") || op.equals("INIT")) {
        continue;
      }
      Histogram h = sum(e.getValue(), from);
      row(out, op, h, whole ? notOk(ycsb.get(op)) : -1);
      if (!NOT_CALLS.contains(op)) {
        all.add(h);
      }
    }
    long failures = 0;
    for (Map.Entry<String, Map<String, Double>> e : ycsb.entrySet()) {
      if (!NOT_CALLS.contains(e.getKey())) {
        failures += notOk(e.getValue());
      }
    }
    row(out, "ALL (db calls)", all, whole ? failures : -1);
    return all;
  }

  private static Histogram sum(List<Histogram> list, long from) {
    Histogram total = new Histogram(3);
    if (list != null) {
      for (Histogram h : list) {
        if (h.getStartTimeStamp() >= from) {
          total.add(h);
        }
      }
    }
    return total;
  }

  private static void row(PrintStream out, String op, Histogram h, long notOk) {
    out.printf(Locale.ROOT, "%-20s %10d %8.2f %8.2f %8.2f %8.2f %9.2f%s%n", op,
        h.getTotalCount(), h.getMean() / 1000, ms(h.getValueAtPercentile(50)),
        ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()),
        notOk >= 0 ? String.format("%9d", notOk) : "");
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }

  /** Calls that returned anything but OK, from YCSB's "Return=..." lines. */
  private static long notOk(Map<String, Double> op) {
    if (op == null) {
      return 0;
    }
    long n = 0;
    for (Map.Entry<String, Double> e : op.entrySet()) {
      if (e.getKey().startsWith("Return=") && !e.getKey().equals("Return=OK")) {
        n += e.getValue().longValue();
      }
    }
    return n;
  }

  /** YCSB's "[OP], metric, value" lines, by operation and metric. */
  static Map<String, Map<String, Double>> parse(List<String> lines) {
    Map<String, Map<String, Double>> out = new TreeMap<>();
    for (String l : lines) {
      Matcher m = LINE.matcher(l);
      if (m.matches()) {
        out.computeIfAbsent(m.group(1), k -> new TreeMap<>())
            .put(m.group(2).strip(), Double.parseDouble(m.group(3)));
      }
    }
    return out;
  }

  /** Every NAME.hdr log in the directory: its interval histograms (µs), with their times. */
  static Map<String, List<Histogram>> readIntervals(Path dir) throws IOException {
    Map<String, List<Histogram>> out = new TreeMap<>();
    File[] files = dir.toFile().listFiles((d, name) -> name.endsWith(".hdr"));
    if (files == null) {
      throw new IOException("no such directory: " + dir);
    }
    for (File f : files) {
      String op = f.getName().substring(0, f.getName().length() - 4);
      List<Histogram> list = new ArrayList<>();
      HistogramLogReader reader = new HistogramLogReader(f);
      for (EncodableHistogram h = reader.nextIntervalHistogram(); h != null;
          h = reader.nextIntervalHistogram()) {
        list.add((Histogram) h);
      }
      out.put(op, list);
    }
    return out;
  }
}
