package io.ringkv.sim;

import io.ringkv.gossip.Gossiper;
import io.ringkv.server.antientropy.AntiEntropy;
import io.ringkv.server.coordinator.CoordinatorSettings;
import io.ringkv.server.handoff.HintedHandoff;
import io.ringkv.server.liveness.FailureDetector;
import io.ringkv.server.transfer.Transfers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The shape of one run, drawn from its seed within what {@link SimOptions} pins: cluster size,
 * quorums, timeouts, keys, clients, network quality. Printed at the top of the event log.
 *
 * <p>N is 3; R and W are usually 2 and 2, sometimes another pair, including pairs with R + W <= N
 * (the checkers that rely on quorum intersection skip those). Hints never expire within a run
 * (nothing would repair a key whose only copy was an expired hint); the hint store is sometimes
 * small enough to fill up.
 */
record Scenario(
    long seed,
    int nodes,
    int partitions,
    CoordinatorSettings settings,
    FailureDetector.Settings detector,
    HintedHandoff.Settings handoff,
    long maxHintBytes,
    AntiEntropy.Settings antiEntropy,
    List<String> freshKeys,
    List<String> mixedKeys,
    int clients,
    long workloadNanos,
    long thinkMaxNanos,
    long latencyMinNanos,
    long latencyMaxNanos,
    double dropRate,
    double duplicateRate,
    boolean faults,
    boolean chainWrites,
    Gossiper.Settings gossip,
    Transfers.Settings transfer,
    Change change,
    Change second) {

  /** The membership change an administrator makes during the fault phase, if any. */
  enum ChangeKind { NONE, JOIN, LEAVE, REMOVE }

  /**
   * One membership change: a spare node joins through a live member, a member leaves, or a member
   * crashes for good and is removed through another one. Made at {@code atNanos} (tried again
   * every {@code retryNanos} while the nodes it needs are down); a removal comes {@code
   * removeAfterNanos} after the crash.
   */
  record Change(ChangeKind kind, long atNanos, long removeAfterNanos, long retryNanos) {
    static final Change NONE = new Change(ChangeKind.NONE, 0, 0, 0);

    @Override
    public String toString() {
      return switch (kind) {
        case NONE -> "no membership change";
        case JOIN -> "a spare node joins at " + EventLog.millis(atNanos) + " ms";
        case LEAVE -> "a member leaves at " + EventLog.millis(atNanos) + " ms";
        case REMOVE -> "a member crashes for good at " + EventLog.millis(atNanos)
            + " ms and is removed " + EventLog.millis(removeAfterNanos) + " ms later";
      };
    }

    /** As a second change, whose {@code atNanos} counts from when the first one was made. */
    String asSecond() {
      return switch (kind) {
        case NONE -> "";
        case JOIN -> ", then " + EventLog.millis(atNanos) + " ms after it is made a spare node"
            + " joins";
        case LEAVE -> ", then " + EventLog.millis(atNanos) + " ms after it is made a member"
            + " leaves";
        case REMOVE -> throw new IllegalStateException("a second change is never a removal");
      };
    }
  }

  private static final int[][] QUORUMS = {
    {2, 2}, {2, 2}, {2, 2}, {2, 2}, {2, 2}, {2, 2}, {1, 3}, {3, 1}, {2, 3}, {3, 2}, {1, 2}, {2, 1}
  };

  static Scenario draw(long seed, SimOptions o, SplittableRandom rng) {
    int nodes = o.nodes() != 0 ? o.nodes() : 3 + rng.nextInt(3);
    int keys = o.keys() != 0 ? o.keys() : 3 + rng.nextInt(6);
    int clients = o.clients() != 0 ? o.clients() : 2 + rng.nextInt(4);
    int[] rw = QUORUMS[rng.nextInt(QUORUMS.length)];
    int partitions = new int[] {8, 16, 64}[rng.nextInt(3)];
    long requestMs = 300 + rng.nextInt(2_701);
    long replicaMs = 50 + rng.nextLong(requestMs);
    CoordinatorSettings settings =
        new CoordinatorSettings(
            3, rw[0], rw[1], 64, 1024, 8 + rng.nextInt(93), 10,
            Duration.ofMillis(requestMs),
            Duration.ofMillis(replicaMs),
            Duration.ofMillis(rng.nextInt(200)));
    FailureDetector.Settings detector = new FailureDetector.Settings(
        Duration.ofMillis(50 + rng.nextInt(951)), 2 + rng.nextInt(11), 1 + rng.nextInt(3));
    HintedHandoff.Settings handoff = new HintedHandoff.Settings(
        Duration.ofMillis(50 + rng.nextInt(1_951)), 1 + rng.nextInt(64), 10 + rng.nextInt(5_000),
        Duration.ofDays(1));
    long maxHintBytes = rng.nextInt(5) == 0 ? 300 + rng.nextInt(3_000) : 64L << 20;
    // Anti-entropy: frequent exchanges, small trees (a handful of keys), sometimes trees rebuilt
    // during the run (builds racing with writes); tombstones are never purged within a run (the
    // checkers need the tombstones of acknowledged deletes).
    AntiEntropy.Settings antiEntropy = new AntiEntropy.Settings(true,
        Duration.ofMillis(50 + rng.nextInt(251)), 10 + rng.nextInt(1_000),
        1 << rng.nextInt(7),
        rng.nextInt(3) == 0 ? Duration.ofMillis(500 + rng.nextInt(3_000)) : Duration.ofDays(7),
        Duration.ofDays(7), Duration.ofMillis(3 * replicaMs));
    // Keys written only by read-modify-write (the sibling bound applies to them), then keys
    // written every way.
    int fresh = Math.max(1, keys / 2);
    List<String> freshKeys = new ArrayList<>();
    List<String> mixedKeys = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      (i < fresh ? freshKeys : mixedKeys).add((i < fresh ? "f" : "m") + (i < fresh ? i : i - fresh));
    }
    long workloadMs = o.workloadMillis() != 0 ? o.workloadMillis() : 3_000 + rng.nextInt(7_001);
    long latencyMin = 20_000 + rng.nextLong(200_000);
    long latencyMax = latencyMin + rng.nextLong(3_000_000);
    double drop = rng.nextInt(3) == 0 ? 0.0 : rng.nextDouble() * 0.05;
    double dup = rng.nextInt(2) == 0 ? 0.0 : rng.nextDouble() * 0.03;
    long workloadNanos = workloadMs * 1_000_000L;
    // Membership: drawn from a split stream, so the draws above stay what they were.
    SplittableRandom m = rng.split();
    Gossiper.Settings gossip = new Gossiper.Settings(Duration.ofMillis(50 + m.nextInt(451)),
        1 + m.nextInt(8));
    Transfers.Settings transfer = new Transfers.Settings(64 + m.nextInt(2_000), 1 + m.nextInt(4),
        Duration.ofMillis(50 + m.nextInt(951)), Duration.ofMillis(m.nextInt(2_001)));
    Change change = Change.NONE;
    int dice = m.nextInt(100);
    if (o.faults() && o.membership() && dice < 45) {
      ChangeKind kind = dice < 20 || nodes < 4 ? ChangeKind.JOIN
          : dice < 33 ? ChangeKind.LEAVE : ChangeKind.REMOVE;
      change = new Change(kind, m.nextLong(workloadNanos * 4 / 5),
          50_000_000L + m.nextLong(2_000_000_000L), 100_000_000L + m.nextLong(400_000_000L));
    }
    // In a third of the runs with a change, a second one, made on a node that knows the first
    // soon after it (so usually while it is pending: queued on top of it). Never a second
    // removal (a removed node's data is the run's one lost disk), and N = 3 members always stay.
    // Drawn from a stream split off last, so runs with one change draw what they always drew.
    Change second = Change.NONE;
    if (change.kind() != ChangeKind.NONE && o.secondChange()) {
      SplittableRandom m2 = m.split();
      if (m2.nextInt(3) == 0) {
        ChangeKind kind = change.kind() != ChangeKind.JOIN ? ChangeKind.JOIN : ChangeKind.LEAVE;
        if (change.kind() == ChangeKind.LEAVE && nodes == 5 && m2.nextBoolean()) {
          kind = ChangeKind.LEAVE;
        }
        second = new Change(kind, m2.nextLong(1_500_000_000L), 0,
            100_000_000L + m2.nextLong(400_000_000L));
      }
    }
    return new Scenario(
        seed, nodes, partitions, settings, detector, handoff, maxHintBytes, antiEntropy,
        List.copyOf(freshKeys), List.copyOf(mixedKeys),
        clients, workloadNanos, (5 + rng.nextInt(60)) * 1_000_000L,
        latencyMin, latencyMax, o.faults() ? drop : 0, o.faults() ? dup : 0, o.faults(),
        o.chainWrites(), gossip, transfer, change, second);
  }

  /** The spare node that joins, if a change is a join. */
  String spare() {
    return change.kind() == ChangeKind.JOIN || second.kind() == ChangeKind.JOIN
        ? "n" + (nodes + 1) : null;
  }

  List<String> keys() {
    List<String> all = new ArrayList<>(freshKeys);
    all.addAll(mixedKeys);
    return all;
  }

  /**
   * How long a client waits for an answer before it gives up on a request: the server's request
   * deadline and a little. A forwarded put can take longer (a forward that times out, then a
   * local attempt); its client then gives up first and the write's outcome is unknown to it.
   */
  long clientTimeoutNanos() {
    return settings.requestTimeout().toNanos() + 100_000_000L;
  }

  String describe() {
    CoordinatorSettings s = settings;
    return "seed " + seed + ": " + nodes + " nodes, Q=" + partitions + ", N=" + s.n() + " R=" + s.r()
        + " W=" + s.w() + ", request " + s.requestTimeout().toMillis() + " ms, replica "
        + s.replicaTimeout().toMillis() + " ms, read-repair wait " + s.readRepairWait().toMillis()
        + " ms, max siblings " + s.maxSiblings() + "; probe " + detector.probeInterval().toMillis()
        + " ms, phi " + detector.phiThreshold() + ", suspect after " + detector.failuresToSuspect()
        + " failures; handoff every " + handoff.interval().toMillis() + " ms, batch "
        + handoff.batchSize() + ", " + handoff.maxKeysPerSecond() + " keys/s, hint store "
        + (maxHintBytes < 1 << 20 ? maxHintBytes + " bytes" : (maxHintBytes >> 20) + " MiB")
        + "; anti-entropy every " + antiEntropy.interval().toMillis() + " ms, "
        + antiEntropy.maxKeysPerSecond() + " keys/s, " + antiEntropy.treeLeaves()
        + " leaves, rebuild every " + (antiEntropy.rebuildInterval().toDays() > 0
            ? antiEntropy.rebuildInterval().toDays() + " days"
            : antiEntropy.rebuildInterval().toMillis() + " ms")
        + "; keys " + freshKeys + " (read-modify-write) "
        + mixedKeys + " (mixed); " + clients + " clients for " + workloadNanos / 1_000_000
        + " ms, think <= " + thinkMaxNanos / 1_000_000 + " ms; latency "
        + EventLog.millis(latencyMinNanos) + "-" + EventLog.millis(latencyMaxNanos)
        + " ms, drop " + pct(dropRate) + ", duplicate " + pct(duplicateRate)
        + (faults ? "" : ", no faults") + (chainWrites ? ", chain writes" : "")
        + "; gossip every " + gossip.interval().toMillis() + " ms (seed every "
        + gossip.seedEvery() + "), transfer batches of " + transfer.batchBytes() + " bytes, "
        + transfer.parallel() + " at once, retry " + transfer.retry().toMillis()
        + " ms, forward grace " + transfer.forwardGrace().toMillis() + " ms; " + change
        + second.asSecond();
  }

  private static String pct(double p) {
    return Math.round(p * 1000) / 10.0 + "%";
  }
}
