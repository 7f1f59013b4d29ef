package io.ringkv.server.grpc;

import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.AntiEntropyStatusRequest;
import io.ringkv.api.v1.AntiEntropyStatusResponse;
import io.ringkv.api.v1.RepairRequest;
import io.ringkv.api.v1.RepairResponse;
import io.ringkv.api.v1.HintsForNode;
import io.ringkv.api.v1.HintsRequest;
import io.ringkv.api.v1.HintsResponse;
import io.ringkv.env.Clock;
import io.ringkv.server.antientropy.AntiEntropy;
import io.ringkv.server.handoff.HintedHandoff;
import io.ringkv.storage.HintStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/** The public {@code ringkv.v1.Admin} service: what an operator asks a node about itself. */
public final class AdminService extends AdminGrpc.AdminImplBase {

  private final String self;
  private final HintStore hints;
  private final HintedHandoff handoff;
  private final Predicate<String> isUp;
  private final Clock clock;
  private final Executor storage;
  private final AntiEntropyAdmin antiEntropy;

  private MembershipAdmin membership;

  public AdminService(String self, HintStore hints, HintedHandoff handoff,
      Predicate<String> isUp, Clock clock, Executor storage) {
    this(self, hints, handoff, isUp, clock, storage, null);
  }

  /** @param antiEntropy the node's anti-entropy, or null if it runs none */
  public AdminService(String self, HintStore hints, HintedHandoff handoff,
      Predicate<String> isUp, Clock clock, Executor storage, AntiEntropy antiEntropy) {
    this.antiEntropy = new AntiEntropyAdmin(self, antiEntropy);
    this.self = self;
    this.hints = hints;
    this.handoff = handoff;
    this.isUp = isUp;
    this.clock = clock;
    this.storage = storage;
  }

  @Override
  public void hints(HintsRequest request, StreamObserver<HintsResponse> observer) {
    // Finding the oldest hint scans the store: off the transport thread.
    KeyValueService.reply(CompletableFuture.supplyAsync(() -> {
      HintsResponse.Builder b = HintsResponse.newBuilder().setNode(self)
          .setDelivered(handoff.delivered())
          .setDroppedExpired(handoff.expired())
          .setRefusedFull(hints.refused());
      long now = clock.wallMillis();
      long keys = 0;
      long bytes = 0;
      for (var e : hints.held().entrySet()) {
        long oldest = hints.oldestMillis(e.getKey());
        b.addHeld(HintsForNode.newBuilder()
            .setNode(e.getKey())
            .setKeys(e.getValue().keys())
            .setBytes(e.getValue().bytes())
            .setOldestAgeMs(oldest < 0 ? 0 : Math.max(0, now - oldest))
            .setReachable(isUp.test(e.getKey())));
        keys += e.getValue().keys();
        bytes += e.getValue().bytes();
      }
      return b.setTotalKeys(keys).setTotalBytes(bytes).build();
    }, storage), observer);
  }

  /** Serves the membership commands through this node's gossiper and membership client. */
  public AdminService withMembership(java.util.function.Supplier<String> advertised,
      io.ringkv.gossip.Gossiper gossiper, GrpcMembership client,
      io.ringkv.storage.StorageEngine engine, java.time.Duration timeout) {
    this.membership = new MembershipAdmin(self, advertised, gossiper, client, engine, hints,
        isUp, storage, timeout);
    return this;
  }

  @Override
  public void join(io.ringkv.api.v1.JoinRequest request,
      StreamObserver<io.ringkv.api.v1.MembershipChange> observer) {
    KeyValueService.reply(membership.join(request), observer);
  }

  @Override
  public void leave(io.ringkv.api.v1.LeaveRequest request,
      StreamObserver<io.ringkv.api.v1.MembershipChange> observer) {
    KeyValueService.reply(membership.leave(request), observer);
  }

  @Override
  public void remove(io.ringkv.api.v1.RemoveRequest request,
      StreamObserver<io.ringkv.api.v1.MembershipChange> observer) {
    KeyValueService.reply(membership.remove(request), observer);
  }

  @Override
  public void status(io.ringkv.api.v1.StatusRequest request,
      StreamObserver<io.ringkv.api.v1.StatusResponse> observer) {
    KeyValueService.reply(membership.status(), observer);
  }

  // ---- anti-entropy (AntiEntropyAdmin) ------------------------------------------------------

  @Override
  public void repair(RepairRequest request, StreamObserver<RepairResponse> observer) {
    KeyValueService.reply(antiEntropy.repair(request), observer);
  }

  @Override
  public void antiEntropyStatus(AntiEntropyStatusRequest request,
      StreamObserver<AntiEntropyStatusResponse> observer) {
    KeyValueService.reply(CompletableFuture.completedFuture(antiEntropy.status()), r -> r,
        observer);
  }
}
