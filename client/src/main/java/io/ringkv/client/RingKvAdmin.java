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

  /** A partition's data moving to a new home replica. */
  public record Move(int partition, List<String> from, String to, boolean done) {}

  /** What a membership command changed (or, in a dry run, would change). */
  public record Change(boolean dryRun, long ringVersion, long pendingRingVersion,
      List<Move> moves, String description) {}

  /** One member as the asked node sees it. */
  public record NodeInfo(String id, String address, String state, boolean reachable,
      double share, double pendingShare, long hints, long ringVersion) {}

  /** The cluster as the asked node sees it. */
  public record Status(String node, String cluster, long ringVersion, boolean settled,
      long pendingRingVersion, int handoversTotal, int handoversDone, List<NodeInfo> nodes) {}

  /** The ring a node routes by: partition owners and each node's address. */
  public record RingView(long version, int partitions, int replicas, List<String> nodes,
      List<String> addresses, List<String> owners) {

    /** The partition of a key (the top log2(Q) bits of its MD5). */
    public int partitionOf(byte[] key) {
      long token = RingRouter.token(com.google.protobuf.ByteString.copyFrom(key));
      return (int) (token >>> (64 - Integer.numberOfTrailingZeros(partitions)));
    }

    /** The partition's owner, then the next distinct owners clockwise: the first N are home. */
    public List<String> preferenceList(int partition) {
      List<String> out = new java.util.ArrayList<>();
      for (int i = 0; i < partitions && out.size() < nodes.size(); i++) {
        String owner = owners.get((partition + i) % partitions);
        if (!out.contains(owner)) {
          out.add(owner);
        }
      }
      return out;
    }
  }

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

  /** Asks this (lone) node to join the cluster of the member at {@code seed}. */
  public Change join(String seed, boolean dryRun) {
    return join(seed, dryRun, 1);
  }

  /** As {@link #join(String, boolean)}, with the node's weight in the ring (its share). */
  public Change join(String seed, boolean dryRun, int weight) {
    return change(() -> stub().join(io.ringkv.api.v1.JoinRequest.newBuilder().setSeed(seed)
        .setDryRun(dryRun).setWeight(weight).build()));
  }

  /** Asks this node to leave the cluster (decommission). */
  public Change leave(boolean dryRun) {
    return change(() -> stub().leave(io.ringkv.api.v1.LeaveRequest.newBuilder()
        .setDryRun(dryRun).build()));
  }

  /** Asks this node to remove another member ({@code node}: its id or host:port). */
  public Change remove(String node, boolean dryRun) {
    return change(() -> stub().remove(io.ringkv.api.v1.RemoveRequest.newBuilder().setNode(node)
        .setDryRun(dryRun).build()));
  }

  /** The cluster as this node sees it. */
  public Status status() {
    try {
      io.ringkv.api.v1.StatusResponse r =
          stub().status(io.ringkv.api.v1.StatusRequest.getDefaultInstance());
      List<NodeInfo> nodes = r.getNodesList().stream()
          .map(n -> new NodeInfo(n.getId(), n.getAddress(), n.getState(), n.getReachable(),
              n.getShare(), n.getPendingShare(), n.getHints(), n.getRingVersion()))
          .toList();
      return new Status(r.getNode(), r.getCluster(), r.getRingVersion(), r.getSettled(),
          r.getPendingRingVersion(), r.getHandoversTotal(), r.getHandoversDone(), nodes);
    } catch (RuntimeException e) {
      throw GrpcKeyValue.toException(e);
    }
  }

  /** The ring this node routes by. */
  public RingView ring() {
    try {
      io.ringkv.api.v1.GetRingResponse r = io.ringkv.api.v1.ClusterGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .getRing(io.ringkv.api.v1.GetRingRequest.getDefaultInstance());
      List<String> ids = r.getNodesList().stream().map(n -> n.getId()).toList();
      List<String> addresses = r.getNodesList().stream().map(n -> n.getAddress()).toList();
      List<String> owners = r.getOwnersList().stream().map(ids::get).toList();
      return new RingView(r.getVersion(), r.getPartitions(), r.getReplicas(), ids, addresses,
          owners);
    } catch (RuntimeException e) {
      throw GrpcKeyValue.toException(e);
    }
  }

  private AdminGrpc.AdminBlockingStub stub() {
    return AdminGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static Change change(
      java.util.function.Supplier<io.ringkv.api.v1.MembershipChange> call) {
    try {
      io.ringkv.api.v1.MembershipChange r = call.get();
      List<Move> moves = r.getMovesList().stream()
          .map(m -> new Move(m.getPartition(), List.copyOf(m.getFromList()), m.getTo(),
              m.getDone()))
          .toList();
      return new Change(r.getDryRun(), r.getRingVersion(), r.getPendingRingVersion(), moves,
          r.getDescription());
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
