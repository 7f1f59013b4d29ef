package io.ringkv.client;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.AntiEntropyStatusRequest;
import io.ringkv.api.v1.AntiEntropyStatusResponse;
import io.ringkv.api.v1.ExchangeReport;
import io.ringkv.api.v1.RepairRequest;
import io.ringkv.api.v1.RepairResponse;
import io.ringkv.api.v1.HintsForNode;
import io.ringkv.api.v1.HintsRequest;
import io.ringkv.api.v1.HintsResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Administration of one node ({@code ringkv.v1.Admin}): what the {@code ringkv admin} commands
 * and operators' tools ask a node about itself. Blocking calls, each with a deadline.
 */
public final class RingKvAdmin implements AutoCloseable {

  /** The hints a node holds for one other node. */
  public record HeldHints(String node, long keys, long bytes, long oldestAgeMillis,
      boolean reachable) {}

  /** A node's hint store and handoff progress. */
  public record HintsReport(String node, List<HeldHints> held, long delivered, long refusedFull,
      long droppedExpired, long totalKeys, long totalBytes) {}

  /**
   * One anti-entropy exchange a repair ran: {@code outcome} is completed, failed (stopped part
   * way; what it synced stays synced) or skipped; {@code detail} says why.
   */
  public record Exchange(int partition, String peer, String outcome, String detail,
      long nodesCompared, long leavesDiffering, long keysCompared, long keysDiffering,
      long keysRepaired, long tombstonesPurged, long durationMillis) {}

  /** What {@code admin repair} did on a node. */
  public record RepairReport(String node, List<Exchange> exchanges, long keysRepaired) {}

  /**
   * Anti-entropy of one partition a node is a home replica of; {@code lastExchangeAgeMillis} is
   * -1 if it has not completed an exchange since the node started.
   */
  public record PartitionAntiEntropy(int partition, List<String> homeReplicas,
      boolean treeReady, long lastExchangeAgeMillis, String lastPeer, long exchanges,
      long keysRepaired) {}

  /** A node's anti-entropy: per home partition, and totals since it started. */
  public record AntiEntropyReport(String node, boolean enabled,
      List<PartitionAntiEntropy> partitions, long exchangesCompleted, long exchangesFailed,
      long keysRepaired, long tombstonesPurged, long treesBuilt, long treeBytes) {}

  private final ManagedChannel channel;
  private final Duration timeout;

  private RingKvAdmin(ManagedChannel channel, Duration timeout) {
    this.channel = channel;
    this.timeout = timeout;
  }

  /** Talks to the node at {@code target} ({@code host:port}). */
  public static RingKvAdmin connect(String target, Duration timeout) {
    return new RingKvAdmin(
        Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build(),
        timeout == null ? RingKvClient.DEFAULT_TIMEOUT : timeout);
  }

  /** The node's hints, per node they are meant for, and its handoff counters. */
  public HintsReport hints() {
    try {
      HintsResponse r = AdminGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .hints(HintsRequest.getDefaultInstance());
      List<HeldHints> held = r.getHeldList().stream()
          .map((HintsForNode h) -> new HeldHints(h.getNode(), h.getKeys(), h.getBytes(),
              h.getOldestAgeMs(), h.getReachable()))
          .toList();
      return new HintsReport(r.getNode(), held, r.getDelivered(), r.getRefusedFull(),
          r.getDroppedExpired(), r.getTotalKeys(), r.getTotalBytes());
    } catch (RuntimeException e) {
      throw GrpcKeyValue.toException(e);
    }
  }

  /**
   * Runs anti-entropy exchanges on the node now and waits for them: of {@code partition} (null:
   * every partition the node is a home replica of) with {@code peer} (null: each other home
   * replica).
   */
  public RepairReport repair(Integer partition, String peer) {
    try {
      RepairRequest.Builder b = RepairRequest.newBuilder();
      if (partition != null) {
        b.setPartition(partition);
      }
      if (peer != null) {
        b.setPeer(peer);
      }
      RepairResponse r = AdminGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .repair(b.build());
      List<Exchange> exchanges = r.getExchangesList().stream()
          .map((ExchangeReport e) -> new Exchange(e.getPartition(), e.getPeer(), e.getOutcome(),
              e.getDetail(), e.getNodesCompared(), e.getLeavesDiffering(), e.getKeysCompared(),
              e.getKeysDiffering(), e.getKeysRepaired(), e.getTombstonesPurged(),
              e.getDurationMs()))
          .toList();
      return new RepairReport(r.getNode(), exchanges, r.getKeysRepaired());
    } catch (RuntimeException e) {
      throw GrpcKeyValue.toException(e);
    }
  }

  /** The node's anti-entropy: per partition it is a home replica of, the last exchange. */
  public AntiEntropyReport antiEntropy() {
    try {
      AntiEntropyStatusResponse r = AdminGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .antiEntropyStatus(AntiEntropyStatusRequest.getDefaultInstance());
      List<PartitionAntiEntropy> parts = r.getPartitionsList().stream()
          .map((io.ringkv.api.v1.PartitionAntiEntropy p) -> new PartitionAntiEntropy(
              p.getPartition(), List.copyOf(p.getHomeReplicasList()), p.getTreeReady(),
              p.hasLastExchangeAgeMs() ? p.getLastExchangeAgeMs() : -1, p.getLastPeer(),
              p.getExchanges(), p.getKeysRepaired()))
          .toList();
      return new AntiEntropyReport(r.getNode(), r.getEnabled(), parts, r.getExchangesCompleted(),
          r.getExchangesFailed(), r.getKeysRepaired(), r.getTombstonesPurged(),
          r.getTreesBuilt(), r.getTreeBytes());
    } catch (RuntimeException e) {
      throw GrpcKeyValue.toException(e);
    }
  }

  @Override
  public void close() {
    ChannelRouter.shutdown(channel);
  }
}
