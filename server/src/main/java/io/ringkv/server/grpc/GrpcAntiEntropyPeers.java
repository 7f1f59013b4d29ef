package io.ringkv.server.grpc;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.ringkv.internal.v1.AntiEntropyGrpc;
import io.ringkv.internal.v1.DoneRequest;
import io.ringkv.internal.v1.FetchRequest;
import io.ringkv.internal.v1.HashesRequest;
import io.ringkv.internal.v1.LeafKeysRequest;
import io.ringkv.internal.v1.SyncRequest;
import io.ringkv.server.antientropy.AntiEntropyPeer;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Other nodes' anti-entropy over gRPC ({@code ringkv.internal.v1.AntiEntropy}), on the channels of
 * {@link GrpcPeers}; every call has the anti-entropy deadline and completes on the transport
 * thread. Also the protobuf conversions the service side shares.
 */
public final class GrpcAntiEntropyPeers implements Function<String, AntiEntropyPeer> {

  private final GrpcPeers peers;
  private final Duration deadline;

  public GrpcAntiEntropyPeers(GrpcPeers peers, Duration deadline) {
    this.peers = peers;
    this.deadline = deadline;
  }

  @Override
  public AntiEntropyPeer apply(String nodeId) {
    AntiEntropyGrpc.AntiEntropyFutureStub stub =
        AntiEntropyGrpc.newFutureStub(peers.channel(nodeId));
    Supplier<AntiEntropyGrpc.AntiEntropyFutureStub> withDeadline =
        () -> stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    return new AntiEntropyPeer() {
      @Override
      public CompletableFuture<long[]> hashes(ExchangeId id, int partition, int leaves,
          int level, int[] indices) {
        HashesRequest.Builder b = HashesRequest.newBuilder().setId(toProto(id))
            .setPartition(partition).setLeaves(leaves).setLevel(level);
        for (int i : indices) {
          b.addIndices(i);
        }
        HashesRequest request = b.build();
        return adapt(nodeId, () -> withDeadline.get().hashes(request), r -> {
          long[] out = new long[r.getHashesCount()];
          for (int i = 0; i < out.length; i++) {
            out[i] = r.getHashes(i);
          }
          return out;
        });
      }

      @Override
      public CompletableFuture<Page> leafKeys(ExchangeId id, int partition, int leaves,
          int[] leafIndices, byte[] after, int maxKeys) {
        LeafKeysRequest.Builder b = LeafKeysRequest.newBuilder().setId(toProto(id))
            .setPartition(partition).setLeaves(leaves).setMaxKeys(maxKeys);
        for (int i : leafIndices) {
          b.addLeafIndices(i);
        }
        if (after != null) {
          b.setAfter(ByteString.copyFrom(after));
        }
        LeafKeysRequest request = b.build();
        return adapt(nodeId, () -> withDeadline.get().leafKeys(request), r -> {
          List<KeyHash> keys = new ArrayList<>(r.getKeysCount());
          for (io.ringkv.internal.v1.KeyHash k : r.getKeysList()) {
            keys.add(new KeyHash(k.getStorageKey().toByteArray(), k.getHash()));
          }
          return new Page(keys, r.getTruncated());
        });
      }

      @Override
      public CompletableFuture<List<Synced>> sync(ExchangeId id, int partition,
          List<KeyObject> objects) {
        SyncRequest.Builder b = SyncRequest.newBuilder().setId(toProto(id))
            .setPartition(partition);
        for (KeyObject o : objects) {
          b.addObjects(io.ringkv.internal.v1.KeyObject.newBuilder()
              .setKey(ByteString.copyFrom(o.key())).setObject(encode(o.object())));
        }
        SyncRequest request = b.build();
        return adapt(nodeId, () -> withDeadline.get().sync(request), r -> {
          List<Synced> out = new ArrayList<>(r.getObjectsCount());
          for (io.ringkv.internal.v1.Synced s : r.getObjectsList()) {
            out.add(new Synced(decode(s.getObject()), s.getChanged()));
          }
          return out;
        });
      }

      @Override
      public CompletableFuture<Void> done(ExchangeId id, int partition) {
        DoneRequest request = DoneRequest.newBuilder().setId(toProto(id))
            .setPartition(partition).build();
        return adapt(nodeId, () -> withDeadline.get().done(request), r -> null);
      }

      @Override
      public CompletableFuture<List<VersionedObject>> fetch(int partition, List<byte[]> keys) {
        FetchRequest.Builder b = FetchRequest.newBuilder().setPartition(partition);
        for (byte[] k : keys) {
          b.addKeys(ByteString.copyFrom(k));
        }
        FetchRequest request = b.build();
        return adapt(nodeId, () -> withDeadline.get().fetch(request), r -> {
          List<VersionedObject> out = new ArrayList<>(r.getObjectsCount());
          for (ByteString o : r.getObjectsList()) {
            out.add(decode(o));
          }
          return out;
        });
      }
    };
  }

  static io.ringkv.internal.v1.ExchangeId toProto(AntiEntropyPeer.ExchangeId id) {
    return io.ringkv.internal.v1.ExchangeId.newBuilder().setInitiator(id.initiator())
        .setNumber(id.number()).build();
  }

  static AntiEntropyPeer.ExchangeId fromProto(io.ringkv.internal.v1.ExchangeId id) {
    return new AntiEntropyPeer.ExchangeId(id.getInitiator(), id.getNumber());
  }

  /** An object in the binary encoding; the empty object as no bytes. */
  static ByteString encode(VersionedObject o) {
    return o.siblings().isEmpty() && o.context().isEmpty()
        ? ByteString.EMPTY
        : ByteString.copyFrom(VersionCodec.encodeObject(o));
  }

  static VersionedObject decode(ByteString b) {
    return b.isEmpty() ? VersionedObject.EMPTY : VersionCodec.decodeObject(b.toByteArray());
  }

  /** Starts a call outside any client request's gRPC context and maps its failure. */
  private static <T, R> CompletableFuture<R> adapt(String nodeId,
      Supplier<ListenableFuture<T>> start, Function<T, R> convert) {
    return GrpcCalls.call(nodeId, start, convert, () -> { });
  }
}
