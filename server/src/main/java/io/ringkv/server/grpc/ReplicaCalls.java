package io.ringkv.server.grpc;

import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.ringkv.internal.v1.ReplicaCall;
import io.ringkv.internal.v1.ReplicaGrpc;
import io.ringkv.internal.v1.ReplicaReply;
import io.ringkv.server.coordinator.KvException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The calling side of one peer's {@code Replica.Calls} stream: Read and Merge calls of the
 * request path travel as messages of one long-lived gRPC stream instead of one unary call each.
 * A unary call costs an HTTP/2 stream, a header block (HPACK-encoded, with a {@code grpc-timeout}
 * that differs per call and churns the connection's header table) and trailers; a message costs a
 * DATA frame. A node's profile was two thirds gRPC and Netty per-call work.
 *
 * <p>Every call still has a deadline: {@link #expire} fails the calls that passed theirs (the
 * owner sweeps often). A stream that breaks (the peer died, the connection reset) fails every call
 * open on it as unreachable, and the next call opens a new one.
 */
final class ReplicaCalls {

  /** The stream's method, its calls sent without a new encoding buffer each. */
  private static final MethodDescriptor<ReplicaCall, ReplicaReply> CALLS =
      ThreadBufferMarshalling.of(ReplicaGrpc.getCallsMethod());

  private final String peer;
  private final ManagedChannel channel;
  private final long deadlineNanos;
  private final Runnable onBroken;
  private final AtomicLong ids = new AtomicLong();
  private final Object lock = new Object();
  private Link link;

  /** One stream and the calls open on it. */
  private final class Link implements ClientResponseObserver<ReplicaCall, ReplicaReply> {
    final Map<Long, Pending<?>> open = new ConcurrentHashMap<>();
    ClientCallStreamObserver<ReplicaCall> out;
    volatile boolean broken;

    @Override
    public void beforeStart(ClientCallStreamObserver<ReplicaCall> requestStream) {
      this.out = requestStream;
    }

    @Override
    public void onNext(ReplicaReply reply) {
      Pending<?> p = open.remove(reply.getId());
      if (p == null) {
        return; // past its deadline already
      }
      if (reply.hasError()) {
        // The peer answered with a status: it is alive, whatever the code.
        p.fail(GrpcPeers.fromStatus(peer, Status.fromCodeValue(reply.getError().getCode())
            .withDescription(reply.getError().getDescription()).asRuntimeException()));
      } else {
        p.complete(reply);
      }
    }

    @Override
    public void onError(Throwable t) {
      // Whatever the status (a refused connection, a reset, the peer shutting down), the stream
      // broke under the calls: none of them was answered. Answers, refusals included, come as
      // replies on the stream.
      Status s = Status.fromThrowable(t);
      broke(broken("the replica call stream broke: " + s.getCode()
          + (s.getDescription() == null ? "" : ": " + s.getDescription())));
    }

    @Override
    public void onCompleted() {
      broke(broken("the replica call stream was closed by the peer"));
    }

    private void broke(KvException failure) {
      broken = true;
      synchronized (lock) {
        if (link == this) {
          link = null;
        }
      }
      for (Long id : open.keySet()) {
        Pending<?> p = open.remove(id);
        if (p != null) {
          p.fail(failure);
        }
      }
      onBroken.run();
    }
  }

  /** A call waiting for its reply; completes its future with the reply converted. */
  private record Pending<R>(CompletableFuture<R> future, Function<ReplicaReply, R> convert,
      long expiresAtNanos) {
    void complete(ReplicaReply reply) {
      try {
        future.complete(convert.apply(reply));
      } catch (RuntimeException e) {
        future.completeExceptionally(e);
      }
    }

    void fail(Throwable failure) {
      future.completeExceptionally(failure);
    }
  }

  /**
   * @param onBroken run when a stream breaks (to hasten a reconnect)
   */
  ReplicaCalls(String peer, ManagedChannel channel, long deadlineNanos, Runnable onBroken) {
    this.peer = peer;
    this.channel = channel;
    this.deadlineNanos = deadlineNanos;
    this.onBroken = onBroken;
  }

  /**
   * Sends one call; completes with the peer's reply as {@code convert} makes it, on the transport
   * thread. A reply carrying an error, a broken stream or a passed deadline fail the future with
   * a {@link KvException} (not wrapped).
   */
  <R> CompletableFuture<R> call(ReplicaCall.Builder call, Function<ReplicaReply, R> convert) {
    CompletableFuture<R> future = new CompletableFuture<>();
    long id = ids.incrementAndGet();
    ReplicaCall message = call.setId(id).build();
    Link l;
    synchronized (lock) {
      l = link;
      if (l == null || l.broken) {
        l = open();
      }
      l.open.put(id, new Pending<>(future, convert, System.nanoTime() + deadlineNanos));
      try {
        l.out.onNext(message);
      } catch (RuntimeException e) {
        // The stream was cancelled under us.
        if (l.open.remove(id) != null) {
          future.completeExceptionally(broken("the replica call stream was cancelled: " + e));
        }
      }
      if (l.broken && l.open.remove(id) != null) {
        // It broke while this call was being added (a stream to an unreachable peer can fail
        // as soon as it starts); nobody else will fail the call.
        future.completeExceptionally(broken("the replica call stream broke"));
      }
    }
    return future;
  }

  /** A call the stream failed under: not answered, so the peer counts as unreachable. */
  private KvException broken(String why) {
    return new KvException(KvException.Code.UNAVAILABLE, "node " + peer + ": " + why, false);
  }

  /** Opens a stream, outside the context of whatever request led here (it outlives them all). */
  private Link open() {
    Link l = new Link();
    Context previous = Context.ROOT.attach();
    try {
      ClientCalls.asyncBidiStreamingCall(channel.newCall(CALLS, CallOptions.DEFAULT), l);
    } finally {
      Context.ROOT.detach(previous);
    }
    link = l;
    return l;
  }

  /** Fails the calls whose deadline passed by {@code nowNanos}. */
  void expire(long nowNanos) {
    Link l;
    synchronized (lock) {
      l = link;
    }
    if (l == null) {
      return;
    }
    boolean expired = false;
    for (Map.Entry<Long, Pending<?>> e : l.open.entrySet()) {
      if (nowNanos - e.getValue().expiresAtNanos() >= 0 && l.open.remove(e.getKey()) != null) {
        expired = true;
        e.getValue().fail(GrpcPeers.fromStatus(peer,
            Status.DEADLINE_EXCEEDED.withDescription("no reply within "
                + deadlineNanos / 1_000_000 + " ms").asRuntimeException()));
      }
    }
    if (expired && !l.out.isReady()) {
      // The peer stopped reading (paused, or stuck) and its flow-control window is full: what is
      // still written is buffered here, also the calls that just expired. A unary call gave its
      // buffer up at its deadline; give the whole stream up, so that buffering stays bounded by
      // one deadline's traffic. The next call opens a new stream.
      l.out.cancel("the peer read nothing for a whole call deadline", null);
    }
  }

  /** Ends the stream; the calls still open fail as unreachable, for {@code reason}. */
  void close(String reason) {
    Link l;
    synchronized (lock) {
      l = link;
      link = null;
    }
    if (l != null) {
      l.out.cancel(reason, null);
    }
  }
}
