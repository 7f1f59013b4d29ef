package io.ringkv.server.grpc;

import io.ringkv.api.v1.JoinRequest;
import io.ringkv.api.v1.LeaveRequest;
import io.ringkv.api.v1.MembershipChange;
import io.ringkv.api.v1.NodeStatus;
import io.ringkv.api.v1.PartitionMove;
import io.ringkv.api.v1.RemoveRequest;
import io.ringkv.api.v1.StatusResponse;
import io.ringkv.config.ConfigException;
import io.ringkv.config.HostPort;
import io.ringkv.gossip.Changes;
import io.ringkv.gossip.ClusterState;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Member;
import io.ringkv.gossip.MembershipException;
import io.ringkv.gossip.MembershipException.Reason;
import io.ringkv.ring.Ring;
import io.ringkv.storage.Cursor;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.StorageEngine;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The administrator's membership commands as this node carries them out: join (asked of the new
 * node, which asks its seed), leave (asked of the leaving node), remove (asked of any member),
 * and the status report. Each change also runs as a dry run, which computes the partitions that
 * would move and changes nothing.
 */
final class MembershipAdmin {

  private static final Logger log = LoggerFactory.getLogger(MembershipAdmin.class);

  private final String self;
  private final Supplier<String> advertised;
  private final Gossiper gossiper;
  private final GrpcMembership client;
  private final StorageEngine engine;
  private final HintStore hints;
  private final Predicate<String> isUp;
  private final Executor storage;
  private final Duration timeout;

  MembershipAdmin(String self, Supplier<String> advertised, Gossiper gossiper,
      GrpcMembership client, StorageEngine engine, HintStore hints, Predicate<String> isUp,
      Executor storage, Duration timeout) {
    this.self = self;
    this.advertised = advertised;
    this.gossiper = gossiper;
    this.client = client;
    this.engine = engine;
    this.hints = hints;
    this.isUp = isUp;
    this.storage = storage;
    this.timeout = timeout;
  }

  CompletableFuture<MembershipChange> join(JoinRequest request) {
    String seed;
    try {
      seed = HostPort.parse(request.getSeed()).format();
    } catch (ConfigException | IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new MembershipException(Reason.INVALID,
          "seed: '" + request.getSeed() + "' is not host:port"));
    }
    if (seed.equals(advertised.get())) {
      return CompletableFuture.failedFuture(new MembershipException(Reason.INVALID,
          "seed: " + seed + " is this node itself; name a member of the cluster to join"));
    }
    int weight = request.getWeight() == 0 ? 1 : request.getWeight();
    return CompletableFuture.supplyAsync(() -> {
      ClusterState s = gossiper.state();
      Member me = s.member(self);
      if (s.live().size() > 1 && (me == null || me.state() != Member.State.REMOVED)) {
        throw new MembershipException(Reason.REFUSED, "node " + self + " is already a member of"
            + " cluster '" + s.clusterName() + "' with " + s.live().size() + " members");
      }
      try (Cursor c = engine.scan(StorageEngine.Space.DATA, null, null)) {
        if (c.hasNext()) {
          throw new MembershipException(Reason.REFUSED, "node " + self + " holds data; only an"
              + " empty node can join a cluster (its keys would not be moved)");
        }
      }
      return s;
    }, storage).thenCompose(s -> client.joinCluster(seed, s.clusterName(),
        new Member(self, advertised.get(), weight, Member.State.JOINING),
        request.getDryRun(), timeout))
        .thenApplyAsync(joined -> {
          if (!request.getDryRun()) {
            gossiper.adopt(joined);
          }
          return change(joined, request.getDryRun(), self + " joins through " + seed);
        }, storage);
  }

  CompletableFuture<MembershipChange> leave(LeaveRequest request) {
    return apply(s -> Changes.depart(s, self, self), request.getDryRun(), self + " leaves");
  }

  CompletableFuture<MembershipChange> remove(RemoveRequest request) {
    return CompletableFuture.supplyAsync(() -> resolve(gossiper.state(), request.getNode()),
        storage).thenCompose(id -> {
          if (id.equals(self)) {
            return CompletableFuture.failedFuture(new MembershipException(Reason.INVALID,
                "node: " + id + " is the node asked; to take a live node out use leave"));
          }
          return apply(s -> Changes.depart(s, id, self), request.getDryRun(),
              id + " is removed");
        });
  }

  private CompletableFuture<MembershipChange> apply(
      java.util.function.UnaryOperator<ClusterState> change, boolean dryRun, String what) {
    return CompletableFuture.supplyAsync(() -> {
      ClusterState after = dryRun ? change.apply(gossiper.state()) : gossiper.update(change);
      if (!dryRun) {
        log.info("membership change on node {}: {}", self, what);
      }
      return change(after, dryRun, what);
    }, storage);
  }

  private static String resolve(ClusterState s, String node) {
    if (node.isEmpty()) {
      throw new MembershipException(Reason.INVALID, "node: missing (a node id or host:port)");
    }
    for (Member m : s.members().values()) {
      if (m.id().equals(node) || m.address().equals(node)) {
        return m.id();
      }
    }
    throw new MembershipException(Reason.INVALID, "node: no member '" + node + "' (members: "
        + s.members().keySet() + ")");
  }

  private static MembershipChange change(ClusterState s, boolean dryRun, String what) {
    MembershipChange.Builder b = MembershipChange.newBuilder().setDryRun(dryRun)
        .setRingVersion(s.ring().version())
        .setPendingRingVersion(s.settled() ? 0 : s.next().version())
        .setDescription(what);
    for (ClusterState.Move m : s.moves()) {
      b.addMoves(PartitionMove.newBuilder().setPartition(m.partition()).addAllFrom(m.from())
          .setTo(m.to()).setDone(m.done()));
    }
    return b.build();
  }

  CompletableFuture<StatusResponse> status() {
    return CompletableFuture.supplyAsync(() -> {
      ClusterState s = gossiper.state();
      Map<String, HintStore.Held> held = hints.held();
      Map<String, Double> pending = new TreeMap<>();
      if (!s.settled()) {
        Ring next = s.next();
        for (String owner : next.owners()) {
          pending.merge(owner, 1.0 / next.partitionCount(), Double::sum);
        }
      }
      Map<String, Double> shares = s.shares();
      Map<String, Gossiper.Heartbeat> beats = gossiper.heartbeats();
      StatusResponse.Builder b = StatusResponse.newBuilder().setNode(self)
          .setCluster(s.clusterName()).setRingVersion(s.ring().version())
          .setSettled(s.settled()).setPendingRingVersion(s.settled() ? 0 : s.next().version())
          .setHandoversTotal(s.needed().size()).setHandoversDone(s.done().size())
          .setStateVersion(s.version()).setStateAuthor(s.author());
      for (Member m : s.members().values()) {
        HintStore.Held h = held.get(m.id());
        b.addNodes(NodeStatus.newBuilder().setId(m.id()).setAddress(m.address())
            .setState(m.state().label())
            .setReachable(m.id().equals(self) || isUp.test(m.id()))
            .setShare(shares.getOrDefault(m.id(), 0.0))
            .setPendingShare(s.settled() ? shares.getOrDefault(m.id(), 0.0)
                : pending.getOrDefault(m.id(), 0.0))
            .setHints(h == null ? 0 : h.keys())
            .setRingVersion(m.id().equals(self) ? s.ring().version()
                : beats.containsKey(m.id()) ? beats.get(m.id()).ringVersion() : 0));
      }
      return b.build();
    }, storage);
  }
}
