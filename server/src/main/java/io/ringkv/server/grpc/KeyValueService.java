package io.ringkv.server.grpc;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.DeleteRequest;
import io.ringkv.api.v1.DeleteResponse;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.KeyValueGrpc;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.api.v1.PutResponse;
import io.ringkv.server.coordinator.Coordinator;
import io.ringkv.server.metrics.NodeMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The public {@code ringkv.v1.KeyValue} service: converts between protobuf and the coordinator's
 * plain types and turns failures into statuses. Runs on the transport threads (direct executor),
 * so it only hands work on and never blocks.
 */
public final class KeyValueService extends KeyValueGrpc.KeyValueImplBase {

  private final Coordinator coordinator;
  private final NodeMetrics metrics;

  public KeyValueService(Coordinator coordinator, NodeMetrics metrics) {
    this.coordinator = coordinator;
    this.metrics = metrics;
  }

  /** Times the request and counts its outcome, then answers it. */
  private <T, R> void observe(String op, long startNanos, CompletableFuture<T> future,
      Function<T, R> toProto, StreamObserver<R> observer) {
    reply(future.whenComplete((v, e) -> metrics.request(op,
            e == null ? "ok" : Statuses.toStatus(e).getCode().name().toLowerCase(),
            System.nanoTime() - startNanos)),
        toProto, observer);
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> observer) {
    long start = System.nanoTime();
    Integer r = quorum("r", request.getR(), observer);
    if (r == null) {
      return;
    }
    observe("get", start,
        coordinator.get(request.getKey().toByteArray(), r),
        result -> {
          // Values of a version are never changed once made, and the context is new: wrapped,
          // not copied.
          GetResponse.Builder b = GetResponse.newBuilder();
          for (byte[] v : result.values()) {
            b.addValues(UnsafeByteOperations.unsafeWrap(v));
          }
          return b.setContext(UnsafeByteOperations.unsafeWrap(result.context())).build();
        },
        observer);
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> observer) {
    long start = System.nanoTime();
    Integer w = quorum("w", request.getW(), observer);
    if (w == null) {
      return;
    }
    observe("put", start,
        coordinator.put(
            request.getKey().toByteArray(),
            request.getValue().toByteArray(),
            request.getContext().toByteArray(),
            w),
        ctx -> PutResponse.newBuilder().setContext(UnsafeByteOperations.unsafeWrap(ctx)).build(),
        observer);
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> observer) {
    long start = System.nanoTime();
    Integer w = quorum("w", request.getW(), observer);
    if (w == null) {
      return;
    }
    observe("delete", start,
        coordinator.put(
            request.getKey().toByteArray(), null, request.getContext().toByteArray(), w),
        ctx -> DeleteResponse.getDefaultInstance(),
        observer);
  }

  /** The quorum as an int, or null after answering INVALID_ARGUMENT for a value past 2^31. */
  private static Integer quorum(String name, int unsigned, StreamObserver<?> observer) {
    if (unsigned < 0) {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription(name + ": " + Integer.toUnsignedString(unsigned) + " is too large")
              .asRuntimeException());
      return null;
    }
    return unsigned;
  }

  static <T, R> void reply(
      CompletableFuture<T> future, Function<T, R> toProto, StreamObserver<R> observer) {
    future.whenComplete(
        (value, error) -> {
          if (observer instanceof ServerCallStreamObserver<R> call && call.isCancelled()) {
            return;
          }
          if (error != null) {
            observer.onError(Statuses.toStatus(error).asRuntimeException());
          } else {
            observer.onNext(toProto.apply(value));
            observer.onCompleted();
          }
        });
  }
}
