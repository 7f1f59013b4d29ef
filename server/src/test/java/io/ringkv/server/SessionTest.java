package io.ringkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.KeyValueGrpc;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.api.v1.SessionRequest;
import io.ringkv.api.v1.SessionResponse;
import io.ringkv.client.Context;
import io.ringkv.client.RingKvClient;
import io.ringkv.client.RingKvException;
import io.ringkv.client.ReadOptions;
import io.ringkv.config.ConfigLoader;
import io.ringkv.server.testing.BlackHoleProxy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code KeyValue.Session}: many requests over one stream, answered by id, against real nodes
 * (RocksDB in temp folders, gRPC on loopback), through the raw stream and through the Java client.
 */
class SessionTest {

  @TempDir Path dir;

  private RingKvNode node;
  private ManagedChannel channel;
  private final List<AutoCloseable> closeLast = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (AutoCloseable c : closeLast) {
      c.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private void startNode() {
    node = RingKvNode.start(ConfigLoader.load(null, Map.of(
        "port", "0",
        "data-dir", dir.resolve("data").toString(),
        "replication.n", "1", "replication.r", "1", "replication.w", "1")));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
  }

  /** The answers of one raw session, by id, and how the stream ended. */
  private static final class Answers implements StreamObserver<SessionResponse> {
    final Map<Long, SessionResponse> byId = new ConcurrentHashMap<>();
    final AtomicReference<Status> ended = new AtomicReference<>();

    @Override
    public void onNext(SessionResponse r) {
      assertThat(byId.put(r.getId(), r)).as("a second answer for id %d", r.getId()).isNull();
    }

    @Override
    public void onError(Throwable t) {
      ended.set(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ended.set(Status.OK);
    }
  }

  private static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static SessionRequest put(long id, String key, String value) {
    return SessionRequest.newBuilder().setId(id)
        .setPut(PutRequest.newBuilder().setKey(bs(key)).setValue(bs(value))).build();
  }

  private static SessionRequest get(long id, String key) {
    return SessionRequest.newBuilder().setId(id)
        .setGet(GetRequest.newBuilder().setKey(bs(key))).build();
  }

  @Test
  void answersCarryTheIdOfTheirRequest() {
    startNode();
    Answers answers = new Answers();
    StreamObserver<SessionRequest> requests = KeyValueGrpc.newStub(channel).session(answers);
    int n = 300;
    for (int i = 0; i < n; i++) {
      requests.onNext(put(1000 + i, "key-" + i, "value-" + i));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> answers.byId.size() == n);
    for (int i = 0; i < n; i++) {
      SessionResponse r = answers.byId.get(1000L + i);
      assertThat(r.hasPut()).as("answer %d: %s", i, r).isTrue();
      assertThat(r.getPut().getContext().isEmpty()).isFalse();
      assertThat(r.getRingVersion()).isPositive();
    }
    // Reads of every key, in reverse order, pipelined: each answer holds its own key's value.
    for (int i = n - 1; i >= 0; i--) {
      requests.onNext(get(5000 + i, "key-" + i));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> answers.byId.size() == 2 * n);
    for (int i = 0; i < n; i++) {
      SessionResponse r = answers.byId.get(5000L + i);
      assertThat(r.getGet().getValuesList()).containsExactly(bs("value-" + i));
    }
    assertThat(answers.ended.get()).as("the stream is still open").isNull();
    requests.onCompleted();
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.ended.get() != null);
    assertThat(answers.ended.get().isOk()).isTrue();
  }

  @Test
  void aBadRequestIsAnsweredWithItsErrorAndTheSessionGoesOn() {
    startNode();
    Answers answers = new Answers();
    StreamObserver<SessionRequest> requests = KeyValueGrpc.newStub(channel).session(answers);
    requests.onNext(SessionRequest.newBuilder().setId(1).build());
    requests.onNext(SessionRequest.newBuilder().setId(2)
        .setPut(PutRequest.newBuilder().setKey(bs("k")).setValue(bs("v")).setW(-1)).build());
    requests.onNext(SessionRequest.newBuilder().setId(3)
        .setPut(PutRequest.newBuilder().setKey(bs("k")).setValue(bs("v"))
            .setContext(bs("not a context"))).build());
    requests.onNext(put(4, "k", "v"));
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.byId.size() == 4);
    // Sent after the put's answer: requests on a session run concurrently, answered as they end.
    requests.onNext(get(5, "k"));
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.byId.size() == 5);

    assertThat(answers.byId.get(1L).getError().getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(answers.byId.get(1L).getError().getMessage()).startsWith("request:");
    assertThat(answers.byId.get(2L).getError().getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(answers.byId.get(2L).getError().getMessage()).startsWith("w:");
    assertThat(answers.byId.get(3L).getError().getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(answers.byId.get(3L).getError().getMessage()).contains("context");
    // Nothing of the failed puts was stored: the key holds the one good put's value only.
    assertThat(answers.byId.get(5L).getGet().getValuesList()).containsExactly(bs("v"));
    assertThat(answers.ended.get()).isNull();
  }

  @Test
  void aStoppingNodeAnswersItsSessionsAndEndsThem() throws Exception {
    startNode();
    Answers answers = new Answers();
    StreamObserver<SessionRequest> requests = KeyValueGrpc.newStub(channel).session(answers);
    requests.onNext(put(1, "k", "v"));
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.byId.containsKey(1L));
    assertThat(sessionsOpen(node)).isEqualTo(1);

    // A session never ends by itself: unless the node ends it, the server's graceful shutdown
    // would wait its whole grace period (10 s) and then cancel it.
    long start = System.nanoTime();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(node::close);
    await().atMost(Duration.ofSeconds(5)).until(() -> answers.ended.get() != null);
    assertThat(answers.ended.get().isOk()).as("ended as %s", answers.ended.get()).isTrue();
    closing.get(5, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    node = null;
  }

  @Test
  void oneSessionCarriesAClientsConcurrentRequests() {
    startNode();
    RingKvClient client = RingKvClient.builder().target("127.0.0.1:" + node.port())
        .routing(false).defaultTimeout(Duration.ofSeconds(10)).build();
    closeLast.add(client);
    List<CompletableFuture<Context>> puts = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      puts.add(client.putAsync(("key-" + i).getBytes(), ("value-" + i).getBytes(),
          Context.EMPTY, io.ringkv.client.WriteOptions.DEFAULTS));
    }
    CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
    for (int i = 0; i < 400; i += 7) {
      assertThat(client.get("key-" + i).stringValues()).containsExactly("value-" + i);
    }
    // Values over the session size limit go as unary calls, and read back the same.
    byte[] big = new byte[200 * 1024];
    Arrays.fill(big, (byte) 'b');
    client.put("big".getBytes(), big, Context.EMPTY);
    assertThat(client.get("big".getBytes()).values()).containsExactly(big);

    assertThat(sessionsOpen(node)).isEqualTo(1);
    client.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> sessionsOpen(node) == 0);
  }

  @Test
  void aRequestTheNodeNeverAnswersFailsAtItsDeadline() throws Exception {
    startNode();
    BlackHoleProxy proxy = new BlackHoleProxy(new InetSocketAddress("127.0.0.1", node.port()));
    closeLast.add(proxy);
    RingKvClient client = RingKvClient.builder().target(proxy.address()).routing(false)
        .defaultTimeout(Duration.ofSeconds(10)).build();
    closeLast.add(0, client);
    client.put("k", "v", Context.EMPTY);
    proxy.blackHoleOpenConnections();

    long start = System.nanoTime();
    assertThatThrownBy(() -> client.get("k".getBytes(),
            ReadOptions.DEFAULTS.withTimeout(Duration.ofMillis(500))))
        .isInstanceOfSatisfying(RingKvException.class,
            e -> assertThat(e.code()).isEqualTo(RingKvException.Code.DEADLINE_EXCEEDED));
    Duration waited = Duration.ofNanos(System.nanoTime() - start);
    assertThat(waited).isBetween(Duration.ofMillis(500), Duration.ofSeconds(3));
  }

  @Test
  void writesGoOnWhileANodeOfTheClusterStops() throws Exception {
    try (LocalCluster c = new LocalCluster(dir, 3, Map.of())) {
      RingKvClient client = c.routingClient(1);
      AtomicInteger failed = new AtomicInteger();
      AtomicReference<Throwable> firstFailure = new AtomicReference<>();
      List<CompletableFuture<?>> writes = new ArrayList<>();
      // Eight writers in flight at all times, before, while and after node n1 stops.
      int total = 1600;
      CompletableFuture<Void> stopped = null;
      for (int i = 0; i < total; i++) {
        if (i == total / 4) {
          stopped = CompletableFuture.runAsync(() -> c.stop(0));
        }
        CompletableFuture<?> w = client.putAsync(("w-" + i).getBytes(), new byte[100],
            Context.EMPTY, io.ringkv.client.WriteOptions.DEFAULTS)
            .whenComplete((ctx, e) -> {
              if (e != null) {
                failed.incrementAndGet();
                firstFailure.compareAndSet(null, e);
              }
            });
        writes.add(w);
        if (writes.size() >= 8) {
          CompletableFuture.anyOf(writes.toArray(CompletableFuture[]::new)).exceptionally(e -> null)
              .join();
          writes.removeIf(CompletableFuture::isDone);
        }
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).exceptionally(e -> null)
          .join();
      stopped.get(30, TimeUnit.SECONDS);
      assertThat(failed.get()).as("writes failed; the first: %s", firstFailure.get()).isZero();
      for (int i = 0; i < total; i += 37) {
        assertThat(client.get(("w-" + i).getBytes()).values()).hasSize(1);
      }
    }
  }

  private static int sessionsOpen(RingKvNode n) {
    return (int) n.metrics().registry().get("ringkv.sessions.open").gauge().value();
  }
}
