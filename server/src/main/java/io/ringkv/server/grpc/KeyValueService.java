package io.ringkv.server.grpc;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.DeleteRequest;
import io.ringkv.api.v1.DeleteResponse;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.KeyValueGrpc;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.api.v1.PutResponse;
import io.ringkv.api.v1.SessionRequest;
import io.ringkv.api.v1.SessionResponse;
import io.ringkv.server.coordinator.Coordinator;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.server.metrics.NodeMetrics;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The public {@code ringkv.v1.KeyValue} service: converts between protobuf and the coordinator's
 * plain types and turns failures into statuses. Runs on the transport threads (direct executor),
 * so it only hands work on and never blocks. Unary calls and {@link KeyValueSession sessions}
 * share the conversions, the checks and the request metrics.
 */
public final class KeyValueService extends KeyValueGrpc.KeyValueImplBase {

  private final Coordinator coordinator;
  private final NodeMetrics metrics;
  private final LongSupplier ringVersion;
  private final Set<KeyValueSession> sessions = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  /** @param ringVersion the version of the ring this node serves by, for session answers */
  public KeyValueService(Coordinator coordinator, NodeMetrics metrics, LongSupplier ringVersion) {
    this.coordinator = coordinator;
    this.metrics = metrics;
    this.ringVersion = ringVersion;
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> observer) {
    reply(get(request), observer);
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> observer) {
    reply(put(request), observer);
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> observer) {
    reply(delete(request), observer);
  }

  @Override
  public StreamObserver<SessionRequest> session(StreamObserver<SessionResponse> responses) {
    KeyValueSession session = new KeyValueSession(
        this, (ServerCallStreamObserver<SessionResponse>) responses, ringVersion, sessions::remove);
    sessions.add(session);
    if (stopping) {
      session.stop();
    }
    return session;
  }

  /**
   * The node is stopping: every open session answers the requests it has taken and then ends
   * (so that the server's graceful shutdown does not wait for streams that would never end);
   * sessions opened from now on end at once.
   */
  public void stopSessions() {
    stopping = true;
    sessions.forEach(KeyValueSession::stop);
  }

  /** Sessions open now (a gauge). */
  public int openSessions() {
    return sessions.size();
  }

  CompletableFuture<GetResponse> get(GetRequest request) {
    long start = System.nanoTime();
    int r = request.getR();
    if (r < 0) { // a uint32 past 2^31 arrives as a negative int
      return invalidQuorum("r", request.getR());
    }
    return observe("get", start, coordinator.get(request.getKey().toByteArray(), r),
        result -> {
          // Values of a version are never changed once made, and the context is new: wrapped,
          // not copied.
          GetResponse.Builder b = GetResponse.newBuilder();
          for (byte[] v : result.values()) {
            b.addValues(UnsafeByteOperations.unsafeWrap(v));
          }
          return b.setContext(UnsafeByteOperations.unsafeWrap(result.context())).build();
        });
  }

  CompletableFuture<PutResponse> put(PutRequest request) {
    long start = System.nanoTime();
    int w = request.getW();
    if (w < 0) { // a uint32 past 2^31 arrives as a negative int
      return invalidQuorum("w", request.getW());
    }
    return observe("put", start,
        coordinator.put(
            request.getKey().toByteArray(),
            request.getValue().toByteArray(),
            request.getContext().toByteArray(),
            w),
        ctx -> PutResponse.newBuilder().setContext(UnsafeByteOperations.unsafeWrap(ctx)).build());
  }

  CompletableFuture<DeleteResponse> delete(DeleteRequest request) {
    long start = System.nanoTime();
    int w = request.getW();
    if (w < 0) { // a uint32 past 2^31 arrives as a negative int
      return invalidQuorum("w", request.getW());
    }
    return observe("delete", start,
        coordinator.put(
            request.getKey().toByteArray(), null, request.getContext().toByteArray(), w),
        ctx -> DeleteResponse.getDefaultInstance());
  }

  /** Times the request and counts its outcome; completes with its answer. */
  private <T, R> CompletableFuture<R> observe(
      String op, long startNanos, CompletableFuture<T> future, Function<T, R> toProto) {
    return future.handle((v, e) -> {
      metrics.request(op,
          e == null ? "ok" : Statuses.toStatus(e).getCode().name().toLowerCase(),
          System.nanoTime() - startNanos);
      if (e != null) {
        throw e instanceof RuntimeException re ? re : new CompletionException(e);
      }
      return toProto.apply(v);
    });
  }

  private static <R> CompletableFuture<R> invalidQuorum(String name, int unsigned) {
    return CompletableFuture.failedFuture(
        KvException.invalid(name + ": " + Integer.toUnsignedString(unsigned) + " is too large"));
  }

  static <R> void reply(CompletableFuture<R> future, StreamObserver<R> observer) {
    future.whenComplete(
        (value, error) -> {
          if (observer instanceof ServerCallStreamObserver<R> call && call.isCancelled()) {
            return;
          }
          if (error != null) {
            observer.onError(Statuses.toStatus(error).asRuntimeException());
          } else {
            observer.onNext(value);
            observer.onCompleted();
          }
        });
  }

  static <T, R> void reply(
      CompletableFuture<T> future, Function<T, R> toProto, StreamObserver<R> observer) {
    reply(future.thenApply(toProto), observer);
  }
}
