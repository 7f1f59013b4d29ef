package io.ringkv.server.antientropy;

import io.ringkv.env.Clock;

/**
 * Spaces out work to a rate: each reservation of n permits is told how long to wait so that,
 * over time, no more than {@code perSecond} permits are used per second. Never sleeps: the caller
 * defers its work through the scheduler. Thread-safe.
 */
final class RateLimiter {

  private final Clock clock;
  private final double nanosPerPermit;
  private long nextFreeNanos;
  private boolean started;

  RateLimiter(Clock clock, int perSecond) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("rate must be at least 1 per second: " + perSecond);
    }
    this.clock = clock;
    this.nanosPerPermit = 1e9 / perSecond;
  }

  /** Reserves {@code permits}; returns how many nanoseconds to wait before using them. */
  synchronized long reserve(int permits) {
    long now = clock.monotonicNanos();
    if (!started || nextFreeNanos - now < 0) {
      nextFreeNanos = now;
      started = true;
    }
    long wait = nextFreeNanos - now;
    nextFreeNanos += (long) (permits * nanosPerPermit);
    return wait;
  }
}
