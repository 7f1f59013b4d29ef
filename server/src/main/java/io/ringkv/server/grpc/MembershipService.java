package io.ringkv.server.grpc;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.ringkv.gossip.Changes;
import io.ringkv.gossip.ClusterState;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Member;
import io.ringkv.gossip.MembershipException;
import io.ringkv.internal.v1.FetchRangeRequest;
import io.ringkv.internal.v1.FetchRangeResponse;
import io.ringkv.internal.v1.GossipMessage;
import io.ringkv.internal.v1.JoinClusterRequest;
import io.ringkv.internal.v1.JoinClusterResponse;
import io.ringkv.internal.v1.MembershipGrpc;
import io.ringkv.internal.v1.RangeEntry;
import io.ringkv.server.transfer.Transfers;
import io.ringkv.version.VersionCodec;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The internal {@code Membership} service. Every handler persists or scans storage, so it runs
 * off the transport thread, on the node's storage executor.
 */
public final class MembershipService extends MembershipGrpc.MembershipImplBase {

  private final Gossiper gossiper;
  private final Transfers transfers;
  private final Executor storage;

  public MembershipService(Gossiper gossiper, Transfers transfers, Executor storage) {
    this.gossiper = gossiper;
    this.transfers = transfers;
    this.storage = storage;
  }

  @Override
  public void gossip(GossipMessage request, StreamObserver<GossipMessage> observer) {
    KeyValueService.reply(CompletableFuture.supplyAsync(
        () -> gossiper.receive(MembershipCodec.decode(request)), storage),
        MembershipCodec::encode, observer);
  }

  @Override
  public void joinCluster(JoinClusterRequest request,
      StreamObserver<JoinClusterResponse> observer) {
    KeyValueService.reply(CompletableFuture.supplyAsync(() -> {
      ClusterState s = gossiper.state();
      if (!s.clusterName().equals(request.getClusterName())) {
        throw new MembershipException(MembershipException.Reason.REFUSED, "node "
            + gossiper.self() + " belongs to cluster '" + s.clusterName() + "', not '"
            + request.getClusterName() + "' (check cluster-name)");
      }
      Member me = s.member(gossiper.self());
      if (me == null || me.state() == Member.State.REMOVED) {
        throw new MembershipException(MembershipException.Reason.REFUSED, "node "
            + gossiper.self() + " is not a member of cluster '" + s.clusterName()
            + "' (it was removed): join through a member");
      }
      Member joining = MembershipCodec.decode(request.getMember());
      Member known = s.member(joining.id());
      if (known != null && known.address().equals(joining.address())
          && known.state() != Member.State.REMOVED) {
        // A retry of a join whose answer was lost: answer again, change nothing.
        return s;
      }
      String by = gossiper.self();
      if (request.getDryRun()) {
        return Changes.join(s, joining, by);
      }
      return gossiper.update(st -> Changes.join(st, joining, by));
    }, storage), s -> JoinClusterResponse.newBuilder().setState(MembershipCodec.encode(s))
        .build(), observer);
  }

  @Override
  public void fetchRange(FetchRangeRequest request, StreamObserver<FetchRangeResponse> observer) {
    KeyValueService.reply(transfers.serve(request.getPartition(),
        request.getAfterKey().toByteArray(), request.getMaxBytes(),
        request.getPendingRingVersion()), MembershipService::encode, observer);
  }

  private static FetchRangeResponse encode(Transfers.Batch batch) {
    FetchRangeResponse.Builder b = FetchRangeResponse.newBuilder().setDone(batch.done());
    for (Transfers.Entry e : batch.entries()) {
      b.addEntries(RangeEntry.newBuilder().setKey(ByteString.copyFrom(e.key()))
          .setObject(ByteString.copyFrom(VersionCodec.encodeObject(e.object()))));
    }
    return b.build();
  }
}
