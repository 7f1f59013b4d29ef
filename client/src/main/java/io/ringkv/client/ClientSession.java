package io.ringkv.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.ringkv.api.v1.KeyValueGrpc;
import io.ringkv.api.v1.SessionRequest;
import io.ringkv.api.v1.SessionResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * One {@code KeyValue.Session} stream to one node: requests go out as messages tagged with an id,
 * answers come back in any order and complete the request with that id. It replaces a gRPC call
 * per request (an HTTP/2 stream, headers, trailers, a deadline timer) with one message each way.
 *
 * <p>Deadlines are kept here, by {@link #expire} (the node keeps none for a session's requests).
 * When the stream ends, every unanswered request fails: with the stream's status when it broke,
 * or as {@link NotTaken} when the node ended it (it answers everything it took before it ends a
 * session, so those requests never ran and can go to another node, writes included).
 */
final class ClientSession {

  /** The failure of a request the node never took: safe to send elsewhere, writes included. */
  static final class NotTaken extends Exception {
    NotTaken(String message) {
      super(message, null, false, false);
    }
  }

  /** The node does not serve sessions (an older version): use unary calls with it. */
  static final class Unsupported extends Exception {
    Unsupported(String message) {
      super(message, null, false, false);
    }
  }

  private record Pending(CompletableFuture<SessionResponse> future, long deadlineNanos) {}

  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final ClientCallStreamObserver<SessionRequest> requests;
  private final LongConsumer ringVersionSeen;
  private long nextId; // guarded by this
  private volatile boolean ended;
  private volatile Throwable endedWith;

  /**
   * Opens the stream. It is started outside the caller's gRPC context: a client used inside a
   * server's handler would otherwise see its session cancelled when that handler's call ends.
   */
  ClientSession(Channel channel, LongConsumer ringVersionSeen) {
    this.ringVersionSeen = ringVersionSeen;
    Answers answers = new Answers();
    Context previous = Context.ROOT.attach();
    try {
      ClientCalls.asyncBidiStreamingCall(
          channel.newCall(KeyValueGrpc.getSessionMethod(), CallOptions.DEFAULT), answers);
    } finally {
      Context.ROOT.detach(previous);
    }
    this.requests = answers.requests;
  }

  /** Why the stream ended (null while open, or when the client closed it). */
  Throwable endedWith() {
    return endedWith;
  }

  /** Whether the stream has ended: a new request needs a new session. */
  boolean ended() {
    return ended;
  }

  /**
   * Sends one request; the future completes with its answer (an error answer included), or
   * fails with DEADLINE_EXCEEDED, or with the stream's end. Cancelling it forgets the request
   * (the node still runs it).
   *
   * @return null when the stream had already ended (nothing was sent)
   */
  CompletableFuture<SessionResponse> send(SessionRequest.Builder request, long deadlineNanos) {
    CompletableFuture<SessionResponse> future = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        pending.values().removeIf(p -> p.future == this);
        return super.cancel(mayInterruptIfRunning);
      }
    };
    synchronized (this) {
      if (ended) {
        return null;
      }
      long id = nextId++;
      pending.put(id, new Pending(future, deadlineNanos));
      requests.onNext(request.setId(id).build());
    }
    return future;
  }

  /** Whether a request sent is still unanswered. */
  boolean inFlight() {
    return !pending.isEmpty();
  }

  /** Fails the requests whose deadline has passed. */
  void expire(long nowNanos) {
    for (Map.Entry<Long, Pending> e : pending.entrySet()) {
      Pending p = e.getValue();
      if (nowNanos - p.deadlineNanos >= 0 && pending.remove(e.getKey(), p)) {
        p.future.completeExceptionally(new RingKvException(RingKvException.Code.DEADLINE_EXCEEDED,
            "no answer within the deadline"));
      }
    }
  }

  /** Ends the stream; unanswered requests fail as CANCELLED. */
  void close() {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
    }
    requests.cancel("the client is closing", null);
  }

  private void failAll(Throwable failure) {
    synchronized (this) {
      endedWith = failure;
      ended = true; // no request goes out after this, so none is left behind below
    }
    for (Long id : pending.keySet()) {
      Pending p = pending.remove(id);
      if (p != null) {
        p.future.completeExceptionally(failure);
      }
    }
  }

  private final class Answers
      implements ClientResponseObserver<SessionRequest, SessionResponse> {

    ClientCallStreamObserver<SessionRequest> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<SessionRequest> stream) {
      this.requests = stream;
    }

    @Override
    public void onNext(SessionResponse response) {
      if (response.getRingVersion() > 0) {
        ringVersionSeen.accept(response.getRingVersion());
      }
      Pending p = pending.remove(response.getId());
      if (p != null) {
        p.future.complete(response);
      }
    }

    @Override
    public void onError(Throwable t) {
      Status status = Status.fromThrowable(t);
      failAll(status.getCode() == Status.Code.UNIMPLEMENTED
          ? new Unsupported("the node does not serve sessions: " + status.getDescription())
          : GrpcKeyValue.toException(t));
    }

    @Override
    public void onCompleted() {
      failAll(new NotTaken("the node ended the session before taking the request"));
    }
  }
}
