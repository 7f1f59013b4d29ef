package io.ringkv.server.grpc;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.ringkv.gossip.ClusterState;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Member;
import io.ringkv.internal.v1.FetchRangeRequest;
import io.ringkv.internal.v1.JoinClusterRequest;
import io.ringkv.internal.v1.MembershipGrpc;
import io.ringkv.internal.v1.RangeEntry;
import io.ringkv.server.transfer.Transfers;
import io.ringkv.version.VersionCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The membership protocol's client side over gRPC: gossip and joins go to addresses (seeds may
 * not be members yet), transfers to node ids. One channel per address, every call with a
 * deadline.
 */
public final class GrpcMembership implements Gossiper.Transport, Transfers.Source, AutoCloseable {

  private final NetworkThreads network;
  private final Function<String, String> addressOf;
  private final Duration deadline;
  private final Duration transferDeadline;
  private final int maxMessageBytes;
  private final String self;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  public GrpcMembership(NetworkThreads network, String self, Function<String, String> addressOf,
      Duration deadline, Duration transferDeadline, int maxMessageBytes) {
    this.network = network;
    this.self = self;
    this.addressOf = addressOf;
    this.deadline = deadline;
    this.transferDeadline = transferDeadline;
    this.maxMessageBytes = maxMessageBytes;
  }

  private MembershipGrpc.MembershipFutureStub stub(String address, Duration timeout) {
    ManagedChannel channel = channels.computeIfAbsent(address, a -> network
        .channel(a).usePlaintext().directExecutor().maxInboundMessageSize(maxMessageBytes)
        .build());
    return MembershipGrpc.newFutureStub(channel)
        .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public CompletableFuture<Gossiper.Digest> exchange(String address, Gossiper.Digest mine) {
    return call(address, () -> stub(address, deadline).gossip(MembershipCodec.encode(mine)),
        MembershipCodec::decode);
  }

  /** Asks the member at {@code seed} to add {@code node} to its cluster. */
  public CompletableFuture<ClusterState> joinCluster(String seed, String clusterName,
      Member node, boolean dryRun, Duration timeout) {
    JoinClusterRequest request = JoinClusterRequest.newBuilder().setClusterName(clusterName)
        .setMember(MembershipCodec.encode(node)).setDryRun(dryRun).build();
    return call(seed, () -> stub(seed, timeout).joinCluster(request),
        r -> MembershipCodec.decode(r.getState()));
  }

  @Override
  public CompletableFuture<Transfers.Batch> fetch(String node, int partition, byte[] afterKey,
      int maxBytes, long pendingRingVersion) {
    String address = addressOf.apply(node);
    if (address == null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("no address known for node " + node));
    }
    FetchRangeRequest request = FetchRangeRequest.newBuilder().setPartition(partition)
        .setAfterKey(ByteString.copyFrom(afterKey)).setMaxBytes(maxBytes)
        .setPendingRingVersion(pendingRingVersion).setRequester(self).build();
    return call(address, () -> stub(address, transferDeadline).fetchRange(request), r -> {
      List<Transfers.Entry> entries = new ArrayList<>(r.getEntriesCount());
      for (RangeEntry e : r.getEntriesList()) {
        entries.add(new Transfers.Entry(e.getKey().toByteArray(),
            VersionCodec.decodeObject(e.getObject().toByteArray())));
      }
      return new Transfers.Batch(entries, r.getDone());
    });
  }

  private static <T, R> CompletableFuture<R> call(String address,
      Supplier<ListenableFuture<T>> start, Function<T, R> convert) {
    return GrpcCalls.call(address, start, convert, () -> { });
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
  }
}
