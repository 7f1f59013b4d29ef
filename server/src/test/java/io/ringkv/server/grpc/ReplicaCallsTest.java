package io.ringkv.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.ringkv.env.SystemClock;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.server.replica.Peer;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.InMemoryStorageEngine;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.Actor;
import io.ringkv.version.Dot;
import io.ringkv.version.VersionVector;
import io.ringkv.version.VersionedObject;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reads and merges over the peer call stream ({@code Replica.Calls}) against a real replica
 * service on a loopback port: replies find their callers, the peer's refusals stay refusals,
 * deadlines hold although the stream has none, and a peer that dies and comes back is used again.
 */
class ReplicaCallsTest {

  /** Long enough for a cold JVM on a loaded machine; the deadline test shortens it. */
  private Duration deadline = Duration.ofSeconds(10);

  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final NetworkThreads network = NetworkThreads.start("caller", 1);
  private final InMemoryStorageEngine engine = new InMemoryStorageEngine();
  /** The peer's storage executor: runs tasks at once unless the test stalls it. */
  private final AtomicBoolean stalled = new AtomicBoolean();
  private final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
  private final Executor storage = task -> {
    if (stalled.get()) {
      held.add(task);
    } else {
      task.run();
    }
  };
  private final LocalReplica replica = new LocalReplica(
      new VersionedStore(engine, StorageEngine.Durability.BUFFERED),
      new HintStore(engine, StorageEngine.Durability.BUFFERED, 1 << 20), storage,
      SystemClock.INSTANCE);
  private Server server;
  private ReplicaService service;
  private int port;
  private GrpcPeers peers;

  private void startPeer(int onPort) throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", onPort))
        .directExecutor()
        .addService(service = new ReplicaService(replica, null))
        .build().start();
    port = server.getPort();
  }

  private Peer peer() {
    if (peers == null) {
      peers = new GrpcPeers(network, node -> "127.0.0.1:" + port, deadline, deadline, 1 << 20, timers);
    }
    return peers.peer("p");
  }

  @AfterEach
  void stop() throws Exception {
    if (peers != null) {
      peers.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    timers.shutdownNow();
    network.close();
  }

  /** Stores k at the peer, then stalls the peer's storage: the read of k sent now stays open. */
  private CompletableFuture<VersionedObject> aReadLeftOpen(Peer p) throws Exception {
    p.merge(b("k"), version("v", 1)).get(10, TimeUnit.SECONDS);
    stalled.set(true);
    return p.read(b("k"));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static VersionedObject version(String value, long counter) {
    return VersionedObject.EMPTY.write(VersionVector.EMPTY,
        new Dot(new Actor("a", 1), counter), b(value), 1_000, 10);
  }

  @Test
  void manyConcurrentCallsEachGetTheirOwnReply() throws Exception {
    startPeer(0);
    Peer p = peer();
    List<CompletableFuture<Void>> merges = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      merges.add(p.merge(b("k" + i), version("v" + i, 1)));
    }
    CompletableFuture.allOf(merges.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    List<CompletableFuture<VersionedObject>> reads = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      reads.add(p.read(b("k" + i)));
    }
    for (int i = 0; i < 500; i++) {
      assertThat(reads.get(i).get(10, TimeUnit.SECONDS).values())
          .as("read of k%d", i).containsExactly(b("v" + i));
    }
    assertThat(p.read(b("never-written")).get(10, TimeUnit.SECONDS))
        .isEqualTo(VersionedObject.EMPTY);
    // Hints travel the same stream and land apart from the data.
    p.hint(b("h"), version("for-q", 1), "q").get(10, TimeUnit.SECONDS);
    assertThat(p.read(b("h")).get(10, TimeUnit.SECONDS)).isEqualTo(VersionedObject.EMPTY);
    assertThat(p.readHints(b("h"), List.of("q")).get(10, TimeUnit.SECONDS).values())
        .containsExactly(b("for-q"));
  }

  @Test
  void aRefusedCallFailsAsAnsweredAndTheStreamGoesOn() throws Exception {
    startPeer(0);
    Peer p = peer();
    // The peer's hint store refuses a hint over its bound (1 MiB): the peer answers with a status.
    byte[] huge = new byte[2 << 20];
    Throwable refused = catchThrowable(() ->
        p.hint(b("big"), VersionedObject.EMPTY.write(VersionVector.EMPTY,
            new Dot(new Actor("a", 1), 1), huge, 1, 10), "q").get(10, TimeUnit.SECONDS));
    KvException kv = (KvException) refused.getCause();
    assertThat(kv.answeredByPeer()).as("a status the peer sent: it is alive").isTrue();
    p.merge(b("after"), version("x", 1)).get(10, TimeUnit.SECONDS);
    assertThat(p.read(b("after")).get(10, TimeUnit.SECONDS).values()).containsExactly(b("x"));
  }

  @Test
  void aCallThePeerNeverAnswersFailsAtItsDeadline() throws Exception {
    deadline = Duration.ofMillis(500);
    startPeer(0);
    Peer p = peer();
    await("the stream is up").atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> p.merge(b("k"), version("v", 1)).get(10, TimeUnit.SECONDS) == null);
    stalled.set(true);
    long start = System.nanoTime();
    Throwable t = catchThrowable(() -> p.read(b("k")).get(10, TimeUnit.SECONDS));
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    KvException kv = (KvException) t.getCause();
    assertThat(kv.code()).isEqualTo(KvException.Code.DEADLINE_EXCEEDED);
    assertThat(kv.answeredByPeer()).isFalse();
    assertThat(tookMillis).as("failed at its deadline, not before")
        .isGreaterThanOrEqualTo(deadline.toMillis());
    // The late reply is dropped, and the stream serves the next call.
    stalled.set(false);
    held.forEach(Runnable::run);
    assertThat(p.read(b("k")).get(10, TimeUnit.SECONDS).values()).containsExactly(b("v"));
  }

  @Test
  void aPeerThatStopsReadingHasItsStreamGivenUpAtTheDeadline() throws Exception {
    deadline = Duration.ofMillis(500);
    // A peer that accepts the stream and never reads from it (paused, or stuck): its HTTP/2
    // flow-control window fills and the caller's writes pile up in the caller's buffers.
    List<io.grpc.stub.ServerCallStreamObserver<?>> streams = new ArrayList<>();
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .directExecutor()
        .addService(new io.ringkv.internal.v1.ReplicaGrpc.ReplicaImplBase() {
          @Override
          public io.grpc.stub.StreamObserver<io.ringkv.internal.v1.ReplicaCall> calls(
              io.grpc.stub.StreamObserver<io.ringkv.internal.v1.ReplicaReply> replies) {
            var out = (io.grpc.stub.ServerCallStreamObserver<io.ringkv.internal.v1.ReplicaReply>)
                replies;
            out.disableAutoRequest();
            synchronized (streams) {
              streams.add(out);
            }
            return new io.grpc.stub.StreamObserver<>() {
              @Override public void onNext(io.ringkv.internal.v1.ReplicaCall c) { }
              @Override public void onError(Throwable t) {
                synchronized (streams) {
                  streams.remove(out);
                }
              }
              @Override public void onCompleted() { }
            };
          }
        })
        .build().start();
    port = server.getPort();
    Peer p = peer();
    // 4 MiB of merges: well past the 1 MiB window.
    byte[] value = new byte[4096];
    List<CompletableFuture<Void>> calls = new ArrayList<>();
    for (int i = 0; i < 1024; i++) {
      calls.add(p.merge(b("k" + i), VersionedObject.EMPTY.write(VersionVector.EMPTY,
          new Dot(new Actor("a", 1), 1), value, 1, 10)));
    }
    await("the peer holds the stream").atMost(Duration.ofSeconds(5)).until(() -> {
      synchronized (streams) {
        return streams.size() == 1;
      }
    });
    // The calls past their deadline fail as such; the stream is then given up, which fails the
    // few sent a little later as unreachable. None is taken for an answer.
    KvException first =
        (KvException) catchThrowable(() -> calls.get(0).get(10, TimeUnit.SECONDS)).getCause();
    assertThat(first.code()).isEqualTo(KvException.Code.DEADLINE_EXCEEDED);
    for (CompletableFuture<Void> c : calls) {
      KvException kv = (KvException) catchThrowable(() -> c.get(10, TimeUnit.SECONDS)).getCause();
      assertThat(kv.code()).isIn(KvException.Code.DEADLINE_EXCEEDED, KvException.Code.UNAVAILABLE);
      assertThat(kv.answeredByPeer()).isFalse();
    }
    await("the blocked stream is cancelled, which the peer sees").atMost(Duration.ofSeconds(10))
        .until(() -> {
          synchronized (streams) {
            return streams.isEmpty();
          }
        });
    // The next call goes over a new stream (which this peer does not read either).
    Throwable next = catchThrowable(() -> p.read(b("k0")).get(10, TimeUnit.SECONDS));
    assertThat(((KvException) next.getCause()).code())
        .isEqualTo(KvException.Code.DEADLINE_EXCEEDED);
  }

  @Test
  void aPeerShuttingDownEndsItsStreamsAtOnceAndTheirOpenCallsFailAsUnreachable() throws Exception {
    startPeer(0);
    Peer p = peer();
    CompletableFuture<VersionedObject> open = aReadLeftOpen(p);
    // What RingKvNode.close does: refuse new calls, then end the peers' streams. Without the
    // second step the server waits for the stream, which never ends on its own.
    server.shutdown();
    service.closeStreams();
    assertThat(server.awaitTermination(5, TimeUnit.SECONDS)).as("terminated promptly").isTrue();
    KvException kv = (KvException) catchThrowable(() -> open.get(10, TimeUnit.SECONDS)).getCause();
    assertThat(kv.code()).isEqualTo(KvException.Code.UNAVAILABLE);
    assertThat(kv.answeredByPeer()).as("unreachable, for the failure detector").isFalse();
  }

  @Test
  void aPeerThatDiesFailsItsOpenCallsAndIsUsedAgainOnceBack() throws Exception {
    startPeer(0);
    int fixedPort = port;
    Peer p = peer();
    CompletableFuture<VersionedObject> open = aReadLeftOpen(p);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    Throwable t = catchThrowable(() -> open.get(10, TimeUnit.SECONDS));
    KvException kv = (KvException) t.getCause();
    assertThat(kv.code()).isEqualTo(KvException.Code.UNAVAILABLE);
    assertThat(kv.answeredByPeer()).as("unreachable, for the failure detector").isFalse();

    held.clear();
    stalled.set(false);
    startPeer(fixedPort);
    await("a call over a new stream succeeds").atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> p.read(b("k")).get(2, TimeUnit.SECONDS).values().size() == 1);
  }

  /**
   * A node that moves (removed and joined again elsewhere, or restarted on an ephemeral port) is
   * called at its new address as soon as membership knows it; the calls open on the old stream
   * fail as unreachable instead of waiting for their deadline.
   */
  @Test
  void aPeerThatMovesIsCalledAtItsNewAddress() throws Exception {
    startPeer(0);
    Peer p = peer();
    CompletableFuture<VersionedObject> open = aReadLeftOpen(p);
    Server old = server;
    startPeer(0); // the same replica, now on another port as well; membership says so
    try {
      assertThat(port).isNotEqualTo(old.getPort());
      Peer moved = peer();
      Throwable t = catchThrowable(() -> open.get(10, TimeUnit.SECONDS));
      assertThat(t).as("the call open on the old stream fails when the peer moves")
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(KvException.class);
      KvException kv = (KvException) t.getCause();
      assertThat(kv.answeredByPeer()).isFalse();
      assertThat(kv.getMessage()).contains("moved to 127.0.0.1:" + port);
    } finally {
      old.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    Peer moved = peer();
    held.clear();
    stalled.set(false);
    assertThat(moved.read(b("k")).get(10, TimeUnit.SECONDS).values()).hasSize(1);
    moved.ping().get(10, TimeUnit.SECONDS);
    assertThat(peers.channel("p").authority()).isEqualTo("127.0.0.1:" + port);
  }
}
