package io.ringkv.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ringkv.internal.v1.CallError;
import io.ringkv.internal.v1.CoordinatePutRequest;
import io.ringkv.internal.v1.CoordinatePutResponse;
import io.ringkv.internal.v1.MergeRequest;
import io.ringkv.internal.v1.MergeResponse;
import io.ringkv.internal.v1.PingRequest;
import io.ringkv.internal.v1.PingResponse;
import io.ringkv.internal.v1.ReadRequest;
import io.ringkv.internal.v1.ReadResponse;
import io.ringkv.internal.v1.ReplicaCall;
import io.ringkv.internal.v1.ReplicaGrpc;
import io.ringkv.internal.v1.ReplicaReply;
import io.ringkv.server.coordinator.Coordinator;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.version.MalformedVersionException;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** The internal {@code ringkv.internal.v1.Replica} service: other nodes reach this node's replica. */
public final class ReplicaService extends ReplicaGrpc.ReplicaImplBase {

  private final LocalReplica local;
  private final Coordinator coordinator;
  private final Set<InboundCalls> inbound = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;

  public ReplicaService(LocalReplica local, Coordinator coordinator) {
    this.local = local;
    this.coordinator = coordinator;
  }

  private CompletableFuture<ReadResponse> read(ReadRequest request) {
    byte[] key = request.getKey().toByteArray();
    if (request.getHintsForCount() == 0) {
      return local.readEncoded(key).thenApply(ReplicaService::readResponse);
    }
    return local.readHints(key, request.getHintsForList())
        .thenApply(o -> o.siblings().isEmpty() && o.context().isEmpty()
            ? ReadResponse.getDefaultInstance()
            : readResponse(VersionCodec.encodeObject(o)));
  }

  /** A read's answer: the encoded object, or nothing for a key this replica does not hold. */
  private static ReadResponse readResponse(byte[] encoded) {
    return encoded == null
        ? ReadResponse.getDefaultInstance()
        : ReadResponse.newBuilder().setObject(UnsafeByteOperations.unsafeWrap(encoded)).build();
  }

  private CompletableFuture<MergeResponse> merge(MergeRequest request) {
    VersionedObject object;
    try {
      object = ProtoBytes.decodeObject(request.getObject());
    } catch (MalformedVersionException e) {
      return CompletableFuture.failedFuture(KvException.invalid("object: " + e.getMessage()));
    }
    byte[] key = request.getKey().toByteArray();
    return (request.getHintFor().isEmpty()
            ? local.merge(key, object)
            : local.hint(key, object, request.getHintFor()))
        .thenApply(x -> MergeResponse.getDefaultInstance());
  }

  /**
   * The stream of Read and Merge calls from one peer: each is served on the storage executor (a
   * read of a cached object at once, on this thread) and answered on the stream with its id, in
   * whatever order they complete.
   */
  @Override
  public StreamObserver<ReplicaCall> calls(StreamObserver<ReplicaReply> replies) {
    InboundCalls in = new InboundCalls((ServerCallStreamObserver<ReplicaReply>) replies);
    inbound.add(in);
    if (closing) {
      in.end();
    }
    return in;
  }

  /**
   * Ends every peer's call stream, at shutdown: a server waits for its open calls, and a stream
   * stays open as long as its caller does. The callers' open calls fail as unreachable, as they
   * would if this node had died, and new streams are refused.
   */
  public void closeStreams() {
    closing = true;
    for (InboundCalls in : inbound) {
      in.end();
    }
  }

  /** One peer's stream of calls. */
  private final class InboundCalls implements StreamObserver<ReplicaCall> {
    private final ServerCallStreamObserver<ReplicaReply> out;
    private boolean ended; // guarded by out

    InboundCalls(ServerCallStreamObserver<ReplicaReply> out) {
      this.out = out;
      // A caller that went away fails its own open calls; replies to it are dropped.
      out.setOnCancelHandler(() -> { });
    }

    @Override
    public void onNext(ReplicaCall call) {
      long id = call.getId();
      CompletableFuture<ReplicaReply.Builder> reply = switch (call.getCallCase()) {
        case READ -> read(call.getRead()).thenApply(r -> ReplicaReply.newBuilder().setRead(r));
        case MERGE -> merge(call.getMerge()).thenApply(r -> ReplicaReply.newBuilder().setMerge(r));
        default -> CompletableFuture.failedFuture(KvException.invalid("call: none given"));
      };
      reply.whenComplete((b, error) -> {
        ReplicaReply.Builder r = b;
        if (error != null) {
          Status s = Statuses.toStatus(error);
          r = ReplicaReply.newBuilder().setError(CallError.newBuilder()
              .setCode(s.getCode().value())
              .setDescription(s.getDescription() == null ? "" : s.getDescription()));
        }
        send(r.setId(id).build());
      });
    }

    private void send(ReplicaReply reply) {
      synchronized (out) {
        if (!ended && !out.isCancelled()) {
          out.onNext(reply);
        }
      }
    }

    /** Ends the stream with UNAVAILABLE; replies still to come are dropped. */
    void end() {
      synchronized (out) {
        if (!ended) {
          ended = true;
          if (!out.isCancelled()) {
            out.onError(Status.UNAVAILABLE.withDescription("node shutting down")
                .asRuntimeException());
          }
        }
      }
      inbound.remove(this);
    }

    @Override
    public void onError(Throwable t) {
      // The caller cancelled the stream or its connection broke.
      synchronized (out) {
        ended = true;
      }
      inbound.remove(this);
    }

    @Override
    public void onCompleted() {
      synchronized (out) {
        if (!ended && !out.isCancelled()) {
          ended = true;
          out.onCompleted();
        }
      }
      inbound.remove(this);
    }
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
