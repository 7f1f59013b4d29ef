package io.ringkv.env;

/**
 * Time as protocol code sees it. Production uses {@link SystemClock}; the simulator a virtual
 * clock it advances itself, with skew and jumps. Protocol code never reads the system clock.
 */
public interface Clock {

  /** Wall-clock time in milliseconds since the epoch. May jump; use only to stamp data. */
  long wallMillis();

  /** A monotonic reading in nanoseconds, for deadlines and intervals. */
  long monotonicNanos();
}
