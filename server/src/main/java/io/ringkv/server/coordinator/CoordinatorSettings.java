package io.ringkv.server.coordinator;

import java.time.Duration;

/**
 * What the coordinator needs from the node's configuration, as one value (the simulator builds
 * it directly).
 *
 * @param n replicas per key (configured)
 * @param r default read quorum
 * @param w default write quorum
 */
public record CoordinatorSettings(
    int n,
    int r,
    int w,
    int maxKeyBytes,
    int maxValueBytes,
    int maxSiblings,
    int maxClockEntries,
    Duration requestTimeout,
    Duration replicaTimeout,
    Duration readRepairWait) {

  public CoordinatorSettings {
    if (n < 1 || r < 1 || w < 1 || r > n || w > n) {
      throw new IllegalArgumentException("need 1 <= r, w <= n: n=" + n + " r=" + r + " w=" + w);
    }
  }
}
