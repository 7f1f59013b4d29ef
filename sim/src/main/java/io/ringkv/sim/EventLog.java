package io.ringkv.sim;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The event log of a run: who sent what to whom and when, crashes, client operations, checker
 * verdicts. Recording is off in bulk runs (formatting every message costs more than simulating
 * it): a failing seed is replayed with recording on, which yields the same run.
 */
final class EventLog {

  private final StringBuilder text;
  private final EventQueue queue;

  EventLog(boolean recording, EventQueue queue) {
    this.text = recording ? new StringBuilder(1 << 16) : null;
    this.queue = queue;
  }

  boolean recording() {
    return text != null;
  }

  /** Adds a line stamped with the virtual time; {@code line} is only built when recording. */
  void add(Supplier<String> line) {
    if (text != null) {
      stamp(queue.now());
      text.append(line.get()).append('\n');
    }
  }

  /** Adds an unstamped line (headers, verdicts). */
  void note(String line) {
    if (text != null) {
      text.append(line).append('\n');
    }
  }

  String text() {
    return text == null ? null : text.toString();
  }

  /** Milliseconds with microsecond precision, fixed width so the log lines up. */
  static String millis(long nanos) {
    long micros = nanos / 1_000;
    String frac = Long.toString(1_000_000 + Math.abs(micros) % 1_000).substring(4);
    return (nanos < 0 ? "-" : "") + Math.abs(micros) / 1_000 + "." + frac;
  }

  private void stamp(long nanos) {
    String t = millis(nanos);
    for (int i = t.length(); i < 12; i++) {
      text.append(' ');
    }
    text.append(t).append("ms  ");
  }

  static String utf8(byte[] bytes) {
    return bytes == null ? "<tombstone>" : new String(bytes, StandardCharsets.UTF_8);
  }
}
