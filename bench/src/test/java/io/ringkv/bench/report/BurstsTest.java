package io.ringkv.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BurstsTest {

  /** 2026-12-04 00:00:00 UTC. */
  private static final long T0 = 1_796_342_400_000L;

  /** A RocksDB LOG line at {@code millis} after T0 (UTC), as RocksDB writes it. */
  private static String line(long millis, String text) {
    long t = T0 + millis;
    java.time.LocalDateTime d = java.time.LocalDateTime.ofEpochSecond(t / 1000,
        (int) (t % 1000) * 1_000_000, ZoneOffset.UTC);
    return String.format("%04d/%02d/%02d-%02d:%02d:%02d.%06d 140617038423744 %s", d.getYear(),
        d.getMonthValue(), d.getDayOfMonth(), d.getHour(), d.getMinute(), d.getSecond(),
        (t % 1000) * 1000, text);
  }

  private static String event(long millis, String event, int job) {
    return line(millis, "EVENT_LOG_v1 {\"time_micros\": " + (T0 + millis) * 1000 + ", \"job\": "
        + job + ", \"event\": \"" + event + "\", \"num_memtables\": 1}");
  }

  /**
   * One second of a call type: {@code fast} calls of 1 ms and {@code slow} of 30 ms; its interval
   * starts {@code skewMillis} after the second, as YCSB's logs of two call types do.
   */
  private static Histogram second(int second, int fast, int slow, int skewMillis) {
    Histogram h = new Histogram(3);
    h.recordValueWithCount(1_000, fast);
    if (slow > 0) {
      h.recordValueWithCount(30_000, slow);
    }
    h.setStartTimeStamp(T0 + second * 1000L + skewMillis);
    h.setEndTimeStamp(T0 + second * 1000L + 1000 + skewMillis);
    return h;
  }

  @Test
  void slowCallsAreSetAgainstTheSecondsInWhichANodeFlushedOrCompacted() {
    // A memtable switch at 20.5 s, the closed WAL synced until 20.9 s, the flush done at 21.2 s;
    // a compaction from 40.0 to 40.5 s.
    List<String> log = List.of(
        line(20_500, "[/db_impl/db_impl_write.cc:2587] [data] New memtable created with log file:"
            + " #20. Immutable memtables: 0."),
        line(20_501, "[/db_impl/db_impl.cc:1768] [JOB 8] Syncing log #18"),
        event(20_900, "flush_started", 8),
        event(21_200, "flush_finished", 8),
        event(40_000, "compaction_started", 9),
        event(40_500, "compaction_finished", 9));
    Bursts.NodeEvents n1 = Bursts.parse("n1", log, ZoneOffset.UTC);
    assertThat(n1.flushes()).containsExactly(new long[] {T0 + 20_500, T0 + 21_200});
    assertThat(n1.compactions()).containsExactly(new long[] {T0 + 40_000, T0 + 40_500});
    assertThat(n1.walSyncMillis()).containsExactly(399L);

    // Seconds 10..59 measured (the first 10 s are a warm-up with slow calls that must not count):
    // 8 slow reads in second 20 and 4 in second 21 (the flush), 2 in second 40 (the compaction),
    // 1 in second 50 (neither).
    List<Histogram> reads = new ArrayList<>();
    List<Histogram> updates = new ArrayList<>();
    for (int s = 0; s < 60; s++) {
      int slow = s < 10 ? 50 : s == 20 ? 8 : s == 21 ? 4 : s == 40 ? 2 : s == 50 ? 1 : 0;
      reads.add(second(s, 1000, slow, 0));
      updates.add(second(s, 1000, 0, 2));
    }
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    Map<String, long[]> classes = Bursts.report(Map.of("READ", reads, "UPDATE", updates,
        "CLEANUP", List.of(second(59, 0, 16, 0))), 10_000, 20, List.of(n1),
        new PrintStream(text, true, StandardCharsets.UTF_8));

    assertThat(classes.get("a node switching memtables or flushing")).containsExactly(2, 4012, 12);
    assertThat(classes.get("a node compacting (and none flushing)")).containsExactly(1, 2002, 2);
    assertThat(classes.get("neither")).containsExactly(47, 94001, 1);
    String out = text.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("calls over 20 ms while measured: 15 of 100015 (0.015%), in 4 of 50"
        + " seconds");
    assertThat(out).containsPattern("a node switching memtables or flushing +2 +4012 +12 +6\\.0"
        + " +80%");
    assertThat(out).contains("n1: 1 flushes, 1 compactions in its LOG (the load included); WAL"
        + " sync before a flush: median 399 ms, max 399 ms");
  }
}
