package io.ringkv.server.grpc;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.ringkv.internal.v1.AntiEntropyGrpc;
import io.ringkv.internal.v1.DoneRequest;
import io.ringkv.internal.v1.DoneResponse;
import io.ringkv.internal.v1.FetchRequest;
import io.ringkv.internal.v1.FetchResponse;
import io.ringkv.internal.v1.HashesRequest;
import io.ringkv.internal.v1.HashesResponse;
import io.ringkv.internal.v1.KeyHash;
import io.ringkv.internal.v1.LeafKeysRequest;
import io.ringkv.internal.v1.LeafKeysResponse;
import io.ringkv.internal.v1.Synced;
import io.ringkv.internal.v1.SyncRequest;
import io.ringkv.internal.v1.SyncResponse;
import io.ringkv.server.antientropy.AntiEntropyPeer;
import io.ringkv.server.antientropy.AntiEntropyPeer.KeyObject;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.version.MalformedVersionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The internal {@code ringkv.internal.v1.AntiEntropy} service: another node exchanging a partition
 * with this one. Converts protobuf and hands on to this node's {@code AntiEntropy}.
 */
public final class AntiEntropyService extends AntiEntropyGrpc.AntiEntropyImplBase {

  private final AntiEntropyPeer local;

  public AntiEntropyService(AntiEntropyPeer local) {
    this.local = local;
  }

  @Override
  public void hashes(HashesRequest request, StreamObserver<HashesResponse> observer) {
    int[] indices = request.getIndicesList().stream().mapToInt(Integer::intValue).toArray();
    KeyValueService.reply(
        local.hashes(GrpcAntiEntropyPeers.fromProto(request.getId()), request.getPartition(),
            request.getLeaves(), request.getLevel(), indices),
        h -> {
          HashesResponse.Builder b = HashesResponse.newBuilder();
          for (long x : h) {
            b.addHashes(x);
          }
          return b.build();
        }, observer);
  }

  @Override
  public void leafKeys(LeafKeysRequest request, StreamObserver<LeafKeysResponse> observer) {
    int[] leaves = request.getLeafIndicesList().stream().mapToInt(Integer::intValue).toArray();
    KeyValueService.reply(
        local.leafKeys(GrpcAntiEntropyPeers.fromProto(request.getId()), request.getPartition(),
            request.getLeaves(), leaves,
            request.getAfter().isEmpty() ? null : request.getAfter().toByteArray(),
            request.getMaxKeys()),
        page -> {
          LeafKeysResponse.Builder b = LeafKeysResponse.newBuilder()
              .setTruncated(page.truncated());
          for (AntiEntropyPeer.KeyHash k : page.keys()) {
            b.addKeys(KeyHash.newBuilder().setStorageKey(ByteString.copyFrom(k.storageKey()))
                .setHash(k.hash()));
          }
          return b.build();
        }, observer);
  }

  @Override
  public void sync(SyncRequest request, StreamObserver<SyncResponse> observer) {
    List<KeyObject> objects = new ArrayList<>(request.getObjectsCount());
    try {
      for (io.ringkv.internal.v1.KeyObject o : request.getObjectsList()) {
        objects.add(new KeyObject(o.getKey().toByteArray(),
            GrpcAntiEntropyPeers.decode(o.getObject())));
      }
    } catch (MalformedVersionException e) {
      KeyValueService.reply(
          CompletableFuture.failedFuture(KvException.invalid("object: " + e.getMessage())),
          x -> SyncResponse.getDefaultInstance(), observer);
      return;
    }
    KeyValueService.reply(
        local.sync(GrpcAntiEntropyPeers.fromProto(request.getId()), request.getPartition(),
            objects),
        synced -> {
          SyncResponse.Builder b = SyncResponse.newBuilder();
          for (AntiEntropyPeer.Synced s : synced) {
            b.addObjects(Synced.newBuilder().setObject(GrpcAntiEntropyPeers.encode(s.object()))
                .setChanged(s.changed()));
          }
          return b.build();
        }, observer);
  }

  @Override
  public void done(DoneRequest request, StreamObserver<DoneResponse> observer) {
    KeyValueService.reply(
        local.done(GrpcAntiEntropyPeers.fromProto(request.getId()), request.getPartition()),
        x -> DoneResponse.getDefaultInstance(), observer);
  }

  @Override
  public void fetch(FetchRequest request, StreamObserver<FetchResponse> observer) {
    List<byte[]> keys = new ArrayList<>(request.getKeysCount());
    for (ByteString k : request.getKeysList()) {
      keys.add(k.toByteArray());
    }
    KeyValueService.reply(local.fetch(request.getPartition(), keys), objects -> {
      FetchResponse.Builder b = FetchResponse.newBuilder();
      objects.forEach(o -> b.addObjects(GrpcAntiEntropyPeers.encode(o)));
      return b.build();
    }, observer);
  }
}
