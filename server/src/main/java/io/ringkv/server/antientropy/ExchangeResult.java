package io.ringkv.server.antientropy;

/**
 * What one exchange of a partition between this node and a peer did.
 *
 * @param outcome completed (both hold the same versions of every key that differed when it ran),
 *     failed (stopped part way: a peer call failed or timed out; what was synced stays synced,
 *     the next exchange completes it) or skipped (never started)
 * @param detail why it failed or was skipped; empty when completed
 * @param nodesCompared tree nodes compared with the peer's (root and inner nodes and leaves)
 * @param leavesDiffering leaves whose hashes differed
 * @param keysCompared keys of differing leaves compared one by one
 * @param keysDiffering keys found to differ
 * @param keysRepaired keys that changed on at least one side when synced
 * @param tombstonesPurged tombstones this node purged from the partition right after
 */
public record ExchangeResult(
    int partition,
    String peer,
    Outcome outcome,
    String detail,
    long nodesCompared,
    long leavesDiffering,
    long keysCompared,
    long keysDiffering,
    long keysRepaired,
    long tombstonesPurged,
    long durationMillis) {

  /** How an exchange ended. */
  public enum Outcome {
    COMPLETED,
    FAILED,
    SKIPPED
  }

  static ExchangeResult skipped(int partition, String peer, String why) {
    return new ExchangeResult(partition, peer, Outcome.SKIPPED, why, 0, 0, 0, 0, 0, 0, 0);
  }

  ExchangeResult withPurged(long purged) {
    return new ExchangeResult(partition, peer, outcome, detail, nodesCompared, leavesDiffering,
        keysCompared, keysDiffering, keysRepaired, purged, durationMillis);
  }
}
