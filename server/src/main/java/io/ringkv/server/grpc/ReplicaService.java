package io.ringkv.server.grpc;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.ringkv.internal.v1.CoordinatePutRequest;
import io.ringkv.internal.v1.CoordinatePutResponse;
import io.ringkv.internal.v1.MergeRequest;
import io.ringkv.internal.v1.MergeResponse;
import io.ringkv.internal.v1.PingRequest;
import io.ringkv.internal.v1.PingResponse;
import io.ringkv.internal.v1.ReadRequest;
import io.ringkv.internal.v1.ReadResponse;
import io.ringkv.internal.v1.ReplicaGrpc;
import io.ringkv.server.coordinator.Coordinator;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.version.MalformedVersionException;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.util.concurrent.CompletableFuture;

/** The internal {@code ringkv.internal.v1.Replica} service: other nodes reach this node's replica. */
public final class ReplicaService extends ReplicaGrpc.ReplicaImplBase {

  private final LocalReplica local;
  private final Coordinator coordinator;

  public ReplicaService(LocalReplica local, Coordinator coordinator) {
    this.local = local;
    this.coordinator = coordinator;
  }

  @Override
  public void read(ReadRequest request, StreamObserver<ReadResponse> observer) {
    byte[] key = request.getKey().toByteArray();
    KeyValueService.reply(
        request.getHintsForCount() == 0
            ? local.read(key)
            : local.readHints(key, request.getHintsForList()),
        o -> o.siblings().isEmpty() && o.context().isEmpty()
            ? ReadResponse.getDefaultInstance()
            : ReadResponse.newBuilder()
                .setObject(ByteString.copyFrom(VersionCodec.encodeObject(o)))
                .build(),
        observer);
  }

  @Override
  public void merge(MergeRequest request, StreamObserver<MergeResponse> observer) {
    VersionedObject object;
    try {
      object = VersionCodec.decodeObject(request.getObject().toByteArray());
    } catch (MalformedVersionException e) {
      KeyValueService.reply(
          CompletableFuture.failedFuture(KvException.invalid("object: " + e.getMessage())),
          x -> MergeResponse.getDefaultInstance(), observer);
      return;
    }
    byte[] key = request.getKey().toByteArray();
    KeyValueService.reply(
        request.getHintFor().isEmpty()
            ? local.merge(key, object)
            : local.hint(key, object, request.getHintFor()),
        x -> MergeResponse.getDefaultInstance(),
        observer);
  }

  @Override
  public void ping(PingRequest request, StreamObserver<PingResponse> observer) {
    observer.onNext(PingResponse.getDefaultInstance());
    observer.onCompleted();
  }

  @Override
  public void coordinatePut(
      CoordinatePutRequest request, StreamObserver<CoordinatePutResponse> observer) {
    byte[] value = request.getTombstone() ? null : request.getValue().toByteArray();
    KeyValueService.reply(
        coordinator.coordinatePut(
            request.getKey().toByteArray(), value, request.getContext().toByteArray(),
            request.getW()),
        ctx -> CoordinatePutResponse.newBuilder().setContext(ByteString.copyFrom(ctx)).build(),
        observer);
  }
}
