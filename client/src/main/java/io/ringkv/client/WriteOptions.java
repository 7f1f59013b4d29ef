package io.ringkv.client;

import java.time.Duration;

/**
 * Per-write options, for puts and deletes.
 *
 * @param w how many replicas must acknowledge; 0 means the cluster default
 * @param timeout the deadline of the call; {@code null} means the client's default timeout
 */
public record WriteOptions(int w, Duration timeout) {

  /** The cluster's default w and the client's default timeout. */
  public static final WriteOptions DEFAULTS = new WriteOptions(0, null);

  public WriteOptions {
    if (w < 0) {
      throw new IllegalArgumentException("w must be >= 0 (0 = cluster default): " + w);
    }
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
  }

  public WriteOptions withW(int w) {
    return new WriteOptions(w, timeout);
  }

  public WriteOptions withTimeout(Duration timeout) {
    return new WriteOptions(w, timeout);
  }
}
