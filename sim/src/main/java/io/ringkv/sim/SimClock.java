package io.ringkv.sim;

import io.ringkv.env.Clock;

/**
 * A node's clock: virtual time plus the node's own offset. The wall clock is skewed per node and
 * jumps (forwards or back) when a fault says so, as NTP steps do; the monotonic clock only ever
 * moves with virtual time, as {@code System.nanoTime} does. The offset survives a restart (it is
 * the machine's clock, not the process's).
 */
final class SimClock implements Clock {

  /** Virtual time zero on the wall clock: 2026-01-01T00:00:00Z, far from the epoch's edge. */
  static final long BASE_WALL_MILLIS = 1_767_225_600_000L;

  private final EventQueue queue;
  private final long monotonicBaseNanos;
  private long wallOffsetNanos;

  SimClock(EventQueue queue, long wallOffsetNanos, long monotonicBaseNanos) {
    this.queue = queue;
    this.wallOffsetNanos = wallOffsetNanos;
    this.monotonicBaseNanos = monotonicBaseNanos;
  }

  @Override
  public long wallMillis() {
    return BASE_WALL_MILLIS + Math.floorDiv(queue.now() + wallOffsetNanos, 1_000_000L);
  }

  @Override
  public long monotonicNanos() {
    return monotonicBaseNanos + queue.now();
  }

  /** Steps the wall clock by {@code deltaNanos}; the monotonic clock does not move. */
  void jump(long deltaNanos) {
    wallOffsetNanos += deltaNanos;
  }

  long wallOffsetNanos() {
    return wallOffsetNanos;
  }
}
