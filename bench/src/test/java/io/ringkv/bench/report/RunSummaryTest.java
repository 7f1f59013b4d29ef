package io.ringkv.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunSummaryTest {

  @TempDir
  Path dir;

  /** Writes NAME.hdr as YCSB does: one interval histogram per 10 s, latencies in µs. */
  private void log(String name, long[]... intervals) throws Exception {
    try (PrintStream out = new PrintStream(Files.newOutputStream(dir.resolve(name + ".hdr")))) {
      HistogramLogWriter w = new HistogramLogWriter(out);
      w.outputLogFormatVersion();
      w.outputStartTime(1_000_000L);
      w.setBaseTime(1_000_000L);
      w.outputLegend();
      for (int i = 0; i < intervals.length; i++) {
        Histogram h = new Histogram(3);
        for (long v : intervals[i]) {
          h.recordValue(v);
        }
        h.setStartTimeStamp(1_000_000L + i * 10_000L);
        h.setEndTimeStamp(1_000_000L + (i + 1) * 10_000L);
        w.outputIntervalHistogram(h);
      }
    }
  }

  private static long[] repeat(long value, int times) {
    long[] out = new long[times];
    java.util.Arrays.fill(out, value);
    return out;
  }

  @Test
  void addsOperationsAndSeparatesTheSecondHalf() throws Exception {
    // Warm-up interval slow (10 ms), then two fast ones (1 ms): reads and updates alike.
    log("READ", repeat(10_000, 100), repeat(1_000, 300), repeat(1_000, 300));
    log("UPDATE", repeat(10_000, 100), repeat(2_000, 300), repeat(2_000, 300));
    log("CLEANUP", repeat(5, 16));
    Map<String, Map<String, Double>> ycsb = RunSummary.parse(List.of(
        "[OVERALL], RunTime(ms), 30000", "[OVERALL], Throughput(ops/sec), 46.6",
        "[READ], Return=OK, 699", "[READ], Return=NOT_FOUND, 1", "[UPDATE], Return=OK, 700"));
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    String line = RunSummary.report(ycsb, RunSummary.readIntervals(dir),
        new PrintStream(text, true, StandardCharsets.UTF_8));

    // Whole run: 1,400 calls (200 at 10 ms, 600 at 1 ms, 600 at 2 ms): the median is 2 ms.
    assertThat(line).isEqualTo("ops_per_sec=47 p50_ms=2.00 p99_ms=10.01 p999_ms=10.01");
    String out = text.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("ALL (db calls)             1400").doesNotContain("CLEANUP");
    assertThat(out).containsPattern("READ +700 .* 1\\n"); // one NOT_FOUND
    // The second half is the last 10 s interval: 600 calls, no warm-up latency left.
    assertThat(out).contains("second half: last 10.0 s, throughput 60 ops/s");
    assertThat(out).containsPattern("ALL \\(db calls\\) +600 +1\\.50 +1\\.00 +2\\.00 +2\\.00");
  }

  @Test
  void aWarmUpIsLeftOutOfTheMeasuredFigures() throws Exception {
    log("READ", repeat(10_000, 100), repeat(1_000, 300), repeat(1_000, 300));
    log("UPDATE", repeat(10_000, 100), repeat(2_000, 300), repeat(2_000, 300));
    Map<String, Map<String, Double>> ycsb = RunSummary.parse(List.of(
        "[OVERALL], RunTime(ms), 30000", "[OVERALL], Throughput(ops/sec), 46.6",
        "[READ], Return=OK, 700", "[UPDATE], Return=OK, 700"));
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    String line = RunSummary.report(ycsb, RunSummary.readIntervals(dir), 10_000,
        new PrintStream(text, true, StandardCharsets.UTF_8));

    // Measured: the last two intervals, 1,200 calls in 20 s, none of the 10 ms warm-up calls.
    assertThat(line).isEqualTo("ops_per_sec=60 p50_ms=1.00 p99_ms=2.00 p999_ms=2.00");
    String out = text.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("whole run (warm-up included): 30.0 s, throughput 47 ops/s");
    assertThat(out).contains("measured: last 20.0 s, after a 10.0 s warm-up");
    assertThat(out).containsPattern("ALL \\(db calls\\) +1200 +1\\.50 +1\\.00 +2\\.00");
    // The second half of the measured window is its last interval.
    assertThat(out).contains("second half of the measured window: last 10.0 s, throughput 60");
  }

  @Test
  void aRunThatEndsWithinItsWarmUpIsAnError() throws Exception {
    log("READ", repeat(1_000, 10), repeat(1_000, 10));
    Map<String, Map<String, Double>> ycsb = RunSummary.parse(List.of(
        "[OVERALL], RunTime(ms), 20000", "[READ], Return=OK, 20"));
    assertThatThrownBy(() -> RunSummary.report(ycsb, RunSummary.readIntervals(dir), 30_000,
        new PrintStream(PrintStream.nullOutputStream())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ended within its 30 s warm-up");
  }
}
