package io.ringkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringkv.api.v1.DeleteRequest;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.KeyValueGrpc;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.config.ConfigLoader;
import io.ringkv.server.testing.LoopbackPorts;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.io.TempDir;

/** One real node (RocksDB in a temp dir, gRPC on a loopback port) driven through the public API. */
class KeyValueEndToEndTest {

  @TempDir Path dir;

  private RingKvNode node;
  private ManagedChannel channel;
  private KeyValueGrpc.KeyValueBlockingStub kv;

  private void start(Map<String, String> extra) {
    Map<String, String> o = new HashMap<>();
    o.put("port", "0");
    o.put("data-dir", dir.resolve("data").toString());
    o.put("replication.n", "1");
    o.put("replication.r", "1");
    o.put("replication.w", "1");
    o.putAll(extra);
    node = RingKvNode.start(ConfigLoader.load(null, o));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
    kv = KeyValueGrpc.newBlockingStub(channel);
  }

  private KeyValueGrpc.KeyValueBlockingStub kv() {
    return kv.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (node != null) {
      node.close();
    }
  }

  private static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static List<String> values(GetResponse r) {
    return r.getValuesList().stream().map(ByteString::toStringUtf8).toList();
  }

  private ByteString put(String key, String value, ByteString context) {
    return kv().put(PutRequest.newBuilder().setKey(bs(key)).setValue(bs(value))
        .setContext(context).build()).getContext();
  }

  private GetResponse get(String key) {
    return kv().get(GetRequest.newBuilder().setKey(bs(key)).build());
  }

  private VersionedObject stored(String key) {
    return node.localReplica().store().get(key.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void putThenGet() {
    start(Map.of());
    assertThat(get("k").getValuesCount()).isZero();
    ByteString ctx = put("k", "v1", ByteString.EMPTY);
    assertThat(ctx.isEmpty()).isFalse();
    GetResponse r = get("k");
    assertThat(values(r)).containsExactly("v1");
    put("k", "v2", r.getContext());
    assertThat(values(get("k"))).containsExactly("v2");
  }

  @Test
  void concurrentBlindWritesBecomeSiblingsAndTheMergedContextResolvesThem() {
    start(Map.of());
    put("k", "a", ByteString.EMPTY);
    put("k", "b", ByteString.EMPTY);
    GetResponse r = get("k");
    assertThat(values(r)).containsExactlyInAnyOrder("a", "b");
    put("k", "a+b", r.getContext());
    assertThat(values(get("k"))).containsExactly("a+b");
    assertThat(stored("k").siblings()).hasSize(1);
  }

  @Test
  void aPutsContextSupersedesOnlyThatPutNotTheSiblingsItKept() {
    // Found by the simulator: a put's context used to cover the whole stored object, so writing
    // again with it silently replaced a concurrent sibling the client had never seen.
    start(Map.of());
    put("k", "a", ByteString.EMPTY);
    ByteString afterB = put("k", "b", ByteString.EMPTY);
    put("k", "c", afterB);
    assertThat(values(get("k"))).containsExactlyInAnyOrder("a", "c");
  }

  @Test
  void writesWithTheSameStaleContextBecomeSiblings() {
    start(Map.of());
    ByteString base = put("k", "base", ByteString.EMPTY);
    put("k", "x", base);
    put("k", "y", base);
    assertThat(values(get("k"))).containsExactlyInAnyOrder("x", "y");
  }

  @Test
  void deleteHidesTheValueAndAConcurrentWriteSurvivesIt() {
    start(Map.of());
    ByteString ctx = put("k", "v", ByteString.EMPTY);
    kv().delete(DeleteRequest.newBuilder().setKey(bs("k")).setContext(ctx).build());
    GetResponse afterDelete = get("k");
    assertThat(afterDelete.getValuesCount()).isZero();
    assertThat(afterDelete.getContext().isEmpty()).isFalse(); // a write can supersede the tombstone

    put("k", "concurrent", ctx); // saw only "v", not the delete
    assertThat(values(get("k"))).containsExactly("concurrent");
    put("k", "after", get("k").getContext());
    assertThat(values(get("k"))).containsExactly("after");
  }

  @Test
  void manyThreadsWritingOneKeyLoseNoSibling() throws Exception {
    start(Map.of("limits.max-siblings", "1000"));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        for (int i = 0; i < 25; i++) {
          put("hot", thread + "-" + i, ByteString.EMPTY);
        }
      }));
    }
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(get("hot").getValuesCount()).isEqualTo(200);
  }

  @Test
  void siblingLimitRefusesTheWriteAndKeepsEverySibling() {
    start(Map.of("limits.max-siblings", "3"));
    for (String v : List.of("a", "b", "c")) {
      put("k", v, ByteString.EMPTY);
    }
    assertRejected(() -> put("k", "d", ByteString.EMPTY), Status.Code.FAILED_PRECONDITION,
        "limits.max-siblings");
    assertThat(values(get("k"))).containsExactlyInAnyOrder("a", "b", "c");
    put("k", "resolved", get("k").getContext()); // resolving is always allowed
    assertThat(values(get("k"))).containsExactly("resolved");
  }

  @Test
  void badInputIsRejectedWithItsStatusAndStoresNothing() {
    start(Map.of("limits.max-key-bytes", "16", "limits.max-value-bytes", "32"));
    assertRejected(() -> put("", "v", ByteString.EMPTY), Status.Code.INVALID_ARGUMENT, "key");
    assertRejected(() -> get(""), Status.Code.INVALID_ARGUMENT, "key");
    assertRejected(() -> put("k".repeat(17), "v", ByteString.EMPTY),
        Status.Code.INVALID_ARGUMENT, "limits.max-key-bytes");
    assertRejected(() -> put("k", "v".repeat(33), ByteString.EMPTY),
        Status.Code.INVALID_ARGUMENT, "limits.max-value-bytes");
    assertRejected(() -> put("k", "v", bs("not a context")),
        Status.Code.INVALID_ARGUMENT, "context");
    assertRejected(() -> kv().delete(DeleteRequest.newBuilder().setKey(bs("k"))
        .setContext(bs("garbage!")).build()), Status.Code.INVALID_ARGUMENT, "context");
    assertRejected(() -> kv().put(PutRequest.newBuilder().setKey(bs("k")).setValue(bs("v"))
        .setW(2).build()), Status.Code.INVALID_ARGUMENT, "w");
    assertRejected(() -> kv().get(GetRequest.newBuilder().setKey(bs("k")).setR(5).build()),
        Status.Code.INVALID_ARGUMENT, "r");
    assertRejected(() -> kv().put(PutRequest.newBuilder().setKey(bs("k")).setValue(bs("v"))
        .setW(-1).build()), Status.Code.INVALID_ARGUMENT, "w");
    assertThat(stored("k")).isEqualTo(VersionedObject.EMPTY);
    assertThat(get("k").getValuesCount()).isZero();
  }

  @Test
  void acknowledgedWritesSurviveARestart() {
    start(Map.of());
    for (int i = 0; i < 100; i++) {
      put("key" + i, "value" + i, ByteString.EMPTY);
    }
    node.close();
    channel.shutdownNow();
    start(Map.of());
    for (int i = 0; i < 100; i++) {
      assertThat(values(get("key" + i))).containsExactly("value" + i);
    }
    // The restarted node issues new dots: a blind write is still a sibling, not an overwrite.
    put("key0", "again", ByteString.EMPTY);
    assertThat(values(get("key0"))).containsExactlyInAnyOrder("value0", "again");
  }

  @Test
  void metricsAreServedForPrometheus() throws Exception {
    int port = LoopbackPorts.free();
    start(Map.of("metrics.port", Integer.toString(port)));
    put("k", "v", ByteString.EMPTY);
    assertRejected(() -> put("", "v", ByteString.EMPTY), Status.Code.INVALID_ARGUMENT, "key");
    var http = java.net.http.HttpClient.newHttpClient();
    var response = http.send(
        java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .contains("ringkv_requests_seconds_count{node=\"node1\",op=\"put\",outcome=\"ok\"} 1")
        .contains("op=\"put\",outcome=\"invalid_argument\"} 1")
        .contains("ringkv_hints_bytes")
        .contains("ringkv_ring_version{node=\"node1\"} 1.0")
        .contains("ringkv_transfer_handovers_remaining{node=\"node1\"} 0.0")
        .contains("ringkv_transfer_keys_received_total")
        .contains("jvm_memory_used_bytes")
        .contains("ringkv_storage_level0_files{node=\"node1\"} 0.0")
        .contains("ringkv_storage_writes_stopped{node=\"node1\"} 0.0");
    // The put above is in the node's memtable: RocksDB's memory is on the page, not a stub's 0.
    assertThat(response.body().lines()
        .filter(l -> l.startsWith("ringkv_storage_memtables_bytes{"))
        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))))
        .singleElement().satisfies(bytes -> assertThat(bytes).isPositive());
  }

  private static void assertRejected(ThrowingCallable call, Status.Code code, String mention) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(code);
          assertThat(e.getStatus().getDescription()).contains(mention);
        });
  }
}
