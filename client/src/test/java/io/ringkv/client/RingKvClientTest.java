package io.ringkv.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Deadline;
import io.grpc.Status;
import io.ringkv.api.v1.DeleteRequest;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.PutRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RingKvClientTest {

  private final InProcessKv kv = new InProcessKv();
  private final FakeKeyValue fake = kv.fake();
  private final RingKvClient client = kv.client();

  @AfterEach
  void tearDown() {
    client.close();
    kv.close();
  }

  @Test
  void putThenGetMapsKeysValuesAndContexts() {
    Context written =
        client.put("k".getBytes(UTF_8), new byte[] {0, 1, (byte) 0xff}, Context.EMPTY);

    PutRequest put = fake.lastRequest(PutRequest.class);
    assertThat(put.getKey()).isEqualTo(ByteString.copyFromUtf8("k"));
    assertThat(put.getValue().toByteArray()).containsExactly(0, 1, 0xff);
    assertThat(put.getContext()).isEmpty();
    assertThat(put.getW()).isZero();
    assertThat(written.isEmpty()).isFalse();

    GetResult read = client.get("k".getBytes(UTF_8));
    assertThat(read.found()).isTrue();
    assertThat(read.hasSiblings()).isFalse();
    assertThat(read.values())
        .singleElement()
        .satisfies(v -> assertThat(v).containsExactly(0, 1, 0xff));
    assertThat(read.context()).isEqualTo(written);
    assertThat(fake.lastRequest(GetRequest.class).getR()).isZero();
  }

  @Test
  void optionsReachTheServer() {
    client.get("k", new ReadOptions(2, null));
    assertThat(fake.lastRequest(GetRequest.class).getR()).isEqualTo(2);

    Context context = client.put("k", "v", Context.EMPTY, WriteOptions.DEFAULTS.withW(3));
    assertThat(fake.lastRequest(PutRequest.class).getW()).isEqualTo(3);

    client.delete("k".getBytes(UTF_8), context, new WriteOptions(1, Duration.ofSeconds(1)));
    DeleteRequest delete = fake.lastRequest(DeleteRequest.class);
    assertThat(delete.getW()).isEqualTo(1);
    assertThat(delete.getKey().toStringUtf8()).isEqualTo("k");
    assertThat(delete.getContext()).isEqualTo(ByteString.copyFrom(context.toBytes()));
    assertThat(client.get("k").found()).isFalse();
  }

  @Test
  void notFoundHasNoValues() {
    GetResult read = client.get("missing");
    assertThat(read.found()).isFalse();
    assertThat(read.values()).isEmpty();
    assertThat(read.context()).isEqualTo(Context.EMPTY);
  }

  @Test
  void blindWritesBecomeSiblingsAndAContextSupersedesThem() {
    client.put("k", "a", Context.EMPTY);
    client.put("k", "b", Context.EMPTY);

    GetResult read = client.get("k");
    assertThat(read.hasSiblings()).isTrue();
    assertThat(read.stringValues()).containsExactly("a", "b");

    client.put("k", "ab", read.context());
    assertThat(client.get("k").stringValues()).containsExactly("ab");
    assertThat(fake.lastRequest(GetRequest.class).getKey().toStringUtf8()).isEqualTo("k");
  }

  @Test
  void everyCallHasADeadline() {
    client.get("k");
    client.put("k", "v", Context.EMPTY);
    client.delete("k", Context.EMPTY);

    assertThat(fake.deadlines()).hasSize(3).allSatisfy(deadline -> {
      assertThat(deadline).isNotNull();
      assertThat(deadline.timeRemaining(TimeUnit.MILLISECONDS)).isBetween(1L, 5_000L);
    });
  }

  @Test
  void timeoutsComeFromTheOptionsElseTheClientDefault() {
    client.get("k", ReadOptions.DEFAULTS.withTimeout(Duration.ofMillis(1500)));
    client.put("k", "v", Context.EMPTY, WriteOptions.DEFAULTS.withTimeout(Duration.ofMillis(1500)));
    assertThat(fake.deadlines())
        .allSatisfy(d -> assertThat(remainingMillis(d)).isBetween(1L, 1500L));

    try (RingKvClient custom = RingKvClient.builder()
        .channel(kv.channel()).defaultTimeout(Duration.ofMinutes(10)).build()) {
      custom.get("k");
    }
    assertThat(remainingMillis(fake.deadlines().get(2))).isGreaterThan(5_000L);
  }

  @Test
  void statusesBecomeRingKvExceptions() {
    fake.failNext(Status.UNAVAILABLE.withDescription("quorum not reached: 1 of 2 replicas"));
    assertThatThrownBy(() -> client.get("k"))
        .isInstanceOfSatisfying(RingKvException.class, e -> {
          assertThat(e.code()).isEqualTo(RingKvException.Code.UNAVAILABLE);
          assertThat(e.description()).isEqualTo("quorum not reached: 1 of 2 replicas");
          assertThat(e.getMessage()).isEqualTo("UNAVAILABLE: quorum not reached: 1 of 2 replicas");
          assertThat(e.code().isTransient()).isTrue();
        });

    assertThatThrownBy(() -> client.put("", "v", Context.EMPTY))
        .isInstanceOfSatisfying(RingKvException.class, e -> {
          assertThat(e.code()).isEqualTo(RingKvException.Code.INVALID_ARGUMENT);
          assertThat(e.description()).isEqualTo("key must not be empty");
        });

    fake.seed("k", "a", "b", "c");
    assertThatThrownBy(() -> client.put("k", "d", Context.EMPTY))
        .isInstanceOfSatisfying(RingKvException.class,
            e -> assertThat(e.code()).isEqualTo(RingKvException.Code.FAILED_PRECONDITION));
  }

  @Test
  void anExpiredDeadlineIsDeadlineExceeded() {
    assertThatThrownBy(() -> client.get("k", ReadOptions.DEFAULTS.withTimeout(Duration.ofNanos(1))))
        .isInstanceOfSatisfying(RingKvException.class,
            e -> assertThat(e.code()).isEqualTo(RingKvException.Code.DEADLINE_EXCEEDED));
  }

  @Test
  void asyncFuturesCompleteExceptionallyWithRingKvException() {
    fake.failNext(Status.DEADLINE_EXCEEDED.withDescription("too slow"));
    CompletableFuture<GetResult> future =
        client.getAsync("k".getBytes(UTF_8), ReadOptions.DEFAULTS);

    assertThatThrownBy(future::get)
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(RingKvException.class, e -> {
          assertThat(e.code()).isEqualTo(RingKvException.Code.DEADLINE_EXCEEDED);
          assertThat(e.description()).isEqualTo("too slow");
        });
  }

  @Test
  void asyncCallsComplete() throws Exception {
    Context context = client.putAsync(
        "k".getBytes(UTF_8), "v".getBytes(UTF_8), Context.EMPTY, WriteOptions.DEFAULTS).get();
    GetResult read = client.getAsync("k".getBytes(UTF_8), ReadOptions.DEFAULTS).get();
    assertThat(read.context()).isEqualTo(context);
    client.deleteAsync("k".getBytes(UTF_8), context, WriteOptions.DEFAULTS).get();
    assertThat(fake.values("k")).isEmpty();
  }

  @Test
  void aTargetThatRefusesConnectionsIsUnavailable() {
    // Port 1 on the loopback: nothing listens there, the connection is refused at once.
    try (RingKvClient remote = RingKvClient.builder().target("127.0.0.1:1").build()) {
      // Each time, the failure says why (callers such as a readiness probe tell a refused
      // connection from a node that answered).
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> remote.get("k"))
            .isInstanceOfSatisfying(RingKvException.class, e -> {
              assertThat(e.code()).isEqualTo(RingKvException.Code.UNAVAILABLE);
              assertThat(e.getMessage()).containsIgnoringCase("connection refused");
            });
      }
    }
  }

  @Test
  void closingTheClientLeavesAGivenChannelOpen() {
    RingKvClient other = RingKvClient.builder().channel(kv.channel()).build();
    other.close();
    assertThat(kv.channel().isShutdown()).isFalse();
    assertThat(client.get("k").found()).isFalse();
  }

  @Test
  void builderNeedsExactlyOneTransport() {
    assertThatThrownBy(() -> RingKvClient.builder().build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> RingKvClient.builder().target("h:1").channel(kv.channel()).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> RingKvClient.builder().defaultTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void optionsRejectNegativeQuorumsAndTimeouts() {
    assertThatThrownBy(() -> new ReadOptions(-1, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WriteOptions(-1, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReadOptions.DEFAULTS.withTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static long remainingMillis(Deadline deadline) {
    return deadline.timeRemaining(TimeUnit.MILLISECONDS);
  }

  static List<String> utf8(List<byte[]> values) {
    return values.stream().map(v -> new String(v, UTF_8)).toList();
  }
}
