package io.ringkv.server.grpc;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.ringkv.internal.v1.CoordinatePutRequest;
import io.ringkv.internal.v1.MergeRequest;
import io.ringkv.internal.v1.PingRequest;
import io.ringkv.internal.v1.ReadRequest;
import io.ringkv.internal.v1.ReplicaCall;
import io.ringkv.internal.v1.ReplicaGrpc;
import io.ringkv.internal.v1.ReplicaReply;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.server.replica.Peer;
import io.ringkv.server.replica.ReplicaDirectory;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The other nodes over gRPC: one channel per peer, opened on first use, every call with the
 * replica deadline. Calls complete on the transport thread; nothing waits for a reply.
 */
public final class GrpcPeers implements ReplicaDirectory, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GrpcPeers.class);
  private static final long RECONNECT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final NetworkThreads network;
  private final Function<String, String> addressOf;
  private final Duration deadline;
  private final Duration forwardDeadline;
  private final int maxMessageBytes;
  private final Map<String, GrpcPeer> peers = new ConcurrentHashMap<>();
  private final ScheduledFuture<?> sweep;
  private volatile boolean closed;

  /**
   * @param addressOf the host:port of a node id, or null for a node this one does not know
   * @param deadline of a replica call (read, merge, ping)
   * @param forwardDeadline of a forwarded put, which waits for the peer's own write quorum
   * @param timers runs the sweep that fails streamed calls past their deadline
   */
  public GrpcPeers(NetworkThreads network, Function<String, String> addressOf, Duration deadline,
      Duration forwardDeadline, int maxMessageBytes, ScheduledExecutorService timers) {
    this.network = network;
    this.addressOf = addressOf;
    this.deadline = deadline;
    this.forwardDeadline = forwardDeadline;
    this.maxMessageBytes = maxMessageBytes;
    // A call fails at most a sweep interval after its deadline: 1/20 of it, at most 50 ms.
    long sweepMillis = Math.max(1, Math.min(50, deadline.toMillis() / 20));
    this.sweep = timers.scheduleWithFixedDelay(this::expireCalls, sweepMillis, sweepMillis,
        TimeUnit.MILLISECONDS);
  }

  private void expireCalls() {
    long now = System.nanoTime();
    for (GrpcPeer p : peers.values()) {
      p.calls.expire(now);
    }
  }

  @Override
  public Peer peer(String nodeId) {
    return current(nodeId);
  }

  /** The channel to a node, shared by every service that calls it (anti-entropy too). */
  public ManagedChannel channel(String nodeId) {
    return current(nodeId).channel;
  }

  /**
   * The peer at the node's address as membership knows it now. A node can move (removed and
   * joined again elsewhere, or started on an ephemeral port): its old channel would keep dialling
   * the old address, so the node would look down for good. A node membership no longer knows
   * keeps the channel it had.
   */
  private GrpcPeer current(String nodeId) {
    if (closed) {
      throw KvException.unavailable("node is shutting down");
    }
    String address = addressOf.apply(nodeId);
    GrpcPeer known = peers.get(nodeId);
    if (known != null && (address == null || known.address.equals(address))) {
      return known;
    }
    if (address == null) {
      throw KvException.unavailable("no address known for node " + nodeId);
    }
    GrpcPeer[] moved = new GrpcPeer[1];
    GrpcPeer peer = peers.compute(nodeId, (id, old) -> {
      if (old != null && old.address.equals(address)) {
        return old;
      }
      moved[0] = old;
      return connect(id, address);
    });
    if (moved[0] != null) {
      log.info("node {} moved from {} to {}: its calls go to the new address", nodeId,
          moved[0].address, address);
      moved[0].calls.close("node " + nodeId + " moved to " + address);
      moved[0].channel.shutdown();
    }
    return peer;
  }

  private GrpcPeer connect(String nodeId, String address) {
    ManagedChannel channel =
        network.channel(address)
            .usePlaintext()
            .directExecutor()
            .maxInboundMessageSize(maxMessageBytes)
            .build();
    return new GrpcPeer(nodeId, address, channel);
  }

  @Override
  public void close() {
    closed = true;
    sweep.cancel(false);
    for (GrpcPeer p : peers.values()) {
      p.calls.close("node shutting down");
      p.channel.shutdownNow();
    }
    for (GrpcPeer p : peers.values()) {
      try {
        p.channel.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private final class GrpcPeer implements Peer {
    private final String nodeId;
    private final String address;
    private final ManagedChannel channel;
    private final ReplicaGrpc.ReplicaFutureStub stub;
    private final ReplicaCalls calls;
    private final java.util.concurrent.atomic.AtomicLong lastBackoffReset =
        new java.util.concurrent.atomic.AtomicLong(System.nanoTime());

    GrpcPeer(String nodeId, String address, ManagedChannel channel) {
      this.nodeId = nodeId;
      this.address = address;
      this.channel = channel;
      this.stub = ReplicaGrpc.newFutureStub(channel);
      this.calls = new ReplicaCalls(nodeId, channel, deadline.toNanos(), this::reconnectSoon);
    }

    private ReplicaGrpc.ReplicaFutureStub stub() {
      return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    // Reads and merges (the request path, read repair, hints) go over the peer's call stream.

    @Override
    public CompletableFuture<VersionedObject> read(byte[] key) {
      return calls.call(ReplicaCall.newBuilder()
          .setRead(ReadRequest.newBuilder().setKey(UnsafeByteOperations.unsafeWrap(key))),
          GrpcPeer::object);
    }

    @Override
    public CompletableFuture<VersionedObject> readHints(byte[] key, List<String> homeReplicas) {
      return calls.call(ReplicaCall.newBuilder()
          .setRead(ReadRequest.newBuilder().setKey(UnsafeByteOperations.unsafeWrap(key))
              .addAllHintsFor(homeReplicas)),
          GrpcPeer::object);
    }

    private static VersionedObject object(ReplicaReply reply) {
      ByteString object = reply.getRead().getObject();
      return object.isEmpty()
          ? VersionedObject.EMPTY
          : ProtoBytes.decodeObject(object);
    }

    @Override
    public CompletableFuture<Void> merge(byte[] key, VersionedObject object) {
      return hint(key, object, "");
    }

    @Override
    public CompletableFuture<Void> hint(byte[] key, VersionedObject object, String homeReplica) {
      // The key and the encoded object are never changed after the call: no copies.
      return calls.call(ReplicaCall.newBuilder()
          .setMerge(MergeRequest.newBuilder()
              .setKey(UnsafeByteOperations.unsafeWrap(key))
              .setObject(UnsafeByteOperations.unsafeWrap(VersionCodec.encodeObject(object)))
              .setHintFor(homeReplica)),
          r -> null);
    }

    @Override
    public CompletableFuture<Void> ping() {
      return adapt(() -> stub().ping(PingRequest.getDefaultInstance()), r -> null);
    }

    @Override
    public CompletableFuture<byte[]> coordinatePut(
        byte[] key, byte[] value, byte[] context, int w) {
      CoordinatePutRequest.Builder b = CoordinatePutRequest.newBuilder()
          .setKey(ByteString.copyFrom(key))
          .setContext(ByteString.copyFrom(context))
          .setW(w);
      if (value == null) {
        b.setTombstone(true);
      } else {
        b.setValue(ByteString.copyFrom(value));
      }
      CoordinatePutRequest request = b.build();
      return adapt(
          () -> stub.withDeadlineAfter(forwardDeadline.toNanos(), TimeUnit.NANOSECONDS)
              .coordinatePut(request),
          r -> r.getContext().toByteArray());
    }

    /**
     * A channel that failed to connect waits out an exponential backoff (up to two minutes)
     * before it tries again, and fails calls fast meanwhile. A peer that restarted would stay
     * unused that long; so while calls keep failing, cut the backoff short once a second.
     */
    private void reconnectSoon() {
      if (channel.getState(false) != ConnectivityState.TRANSIENT_FAILURE) {
        return;
      }
      long now = System.nanoTime();
      long last = lastBackoffReset.get();
      if (now - last >= RECONNECT_INTERVAL_NANOS && lastBackoffReset.compareAndSet(last, now)) {
        channel.resetConnectBackoff();
      }
    }

    private <T, R> CompletableFuture<R> adapt(
        java.util.function.Supplier<ListenableFuture<T>> start, Function<T, R> convert) {
      return GrpcCalls.call(nodeId, start, convert, this::reconnectSoon);
    }
  }

  /**
   * A peer's failure as the coordinator understands it. A status the peer sent (it is alive) is
   * told apart from a failure to reach it: a deadline, a refused or broken connection.
   */
  static KvException fromStatus(String nodeId, Throwable t) {
    Status s = Status.fromThrowable(t);
    String msg = s.getDescription() != null ? s.getDescription() : s.getCode().toString();
    boolean unreachable = s.getCause() != null
        || s.getCode() == Status.Code.DEADLINE_EXCEEDED
        || s.getCode() == Status.Code.CANCELLED;
    return switch (s.getCode()) {
      case DEADLINE_EXCEEDED -> new KvException(KvException.Code.DEADLINE_EXCEEDED,
          "node " + nodeId + " did not answer in time: " + msg, false);
      case INVALID_ARGUMENT -> new KvException(KvException.Code.INVALID_ARGUMENT, msg, true);
      case FAILED_PRECONDITION -> new KvException(KvException.Code.FAILED_PRECONDITION, msg, true);
      default -> new KvException(KvException.Code.UNAVAILABLE,
          "node " + nodeId + ": " + s.getCode() + ": " + msg, !unreachable);
    };
  }

}
