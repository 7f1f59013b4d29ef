package io.ringkv.client;

import java.time.Duration;

/**
 * Per-read options.
 *
 * @param r how many replicas must answer; 0 means the cluster default
 * @param timeout the deadline of the call; {@code null} means the client's default timeout
 */
public record ReadOptions(int r, Duration timeout) {

  /** The cluster's default r and the client's default timeout. */
  public static final ReadOptions DEFAULTS = new ReadOptions(0, null);

  public ReadOptions {
    if (r < 0) {
      throw new IllegalArgumentException("r must be >= 0 (0 = cluster default): " + r);
    }
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
  }

  public ReadOptions withR(int r) {
    return new ReadOptions(r, timeout);
  }

  public ReadOptions withTimeout(Duration timeout) {
    return new ReadOptions(r, timeout);
  }
}
