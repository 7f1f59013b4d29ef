package io.ringkv.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.ClusterGrpc;
import io.ringkv.api.v1.GetRingRequest;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.GetRingResponse;
import io.ringkv.api.v1.KeyValueGrpc;
import io.ringkv.api.v1.RingNode;
import io.ringkv.api.v1.PutResponse;
import io.ringkv.api.v1.SessionRequest;
import io.ringkv.api.v1.SessionResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client's side of {@code KeyValue.Session}, against scripted in-process servers: answers
 * matched by id, the end of a session, and nodes that have no sessions.
 */
class ClientSessionTest {

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<String> methodsCalled = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  /** A client over an in-process server with this service (calls recorded by method name). */
  private RingKvClient clientOf(io.grpc.BindableService service) throws Exception {
    String name = InProcessServerBuilder.generateName();
    ServerInterceptor record = new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        methodsCalled.add(call.getMethodDescriptor().getBareMethodName());
        return next.startCall(call, headers);
      }
    };
    Server server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(ServerInterceptors.intercept(service, record)).build().start();
    toClose.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    toClose.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    RingKvClient client = RingKvClient.builder().channel(channel).build();
    toClose.add(client);
    return client;
  }

  @Test
  void answersArriveInAnyOrderAndCompleteTheirOwnRequest() throws Exception {
    // Answers the puts in reverse order, once it has three, each with its key as the context.
    List<SessionRequest> held = new ArrayList<>();
    RingKvClient client = clientOf(new KeyValueGrpc.KeyValueImplBase() {
      @Override
      public StreamObserver<SessionRequest> session(StreamObserver<SessionResponse> answers) {
        return new StreamObserver<>() {
          @Override
          public synchronized void onNext(SessionRequest r) {
            held.add(r);
            if (held.size() == 3) {
              for (int i = 2; i >= 0; i--) {
                SessionRequest q = held.get(i);
                answers.onNext(SessionResponse.newBuilder().setId(q.getId())
                    .setPut(PutResponse.newBuilder().setContext(q.getPut().getKey())).build());
              }
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            answers.onCompleted();
          }
        };
      }
    });
    List<CompletableFuture<Context>> puts = new ArrayList<>();
    for (String key : List.of("a", "b", "c")) {
      puts.add(client.putAsync(key.getBytes(UTF_8), new byte[] {1}, Context.EMPTY,
          WriteOptions.DEFAULTS));
    }
    assertThat(puts.get(0).get(5, TimeUnit.SECONDS).byteString()).isEqualTo(bs("a"));
    assertThat(puts.get(1).get(5, TimeUnit.SECONDS).byteString()).isEqualTo(bs("b"));
    assertThat(puts.get(2).get(5, TimeUnit.SECONDS).byteString()).isEqualTo(bs("c"));
    assertThat(methodsCalled).containsExactly("Session");
  }

  @Test
  void aRequestTheNodeEndedTheSessionWithoutTakingFailsAsUnavailable() throws Exception {
    AtomicInteger sessions = new AtomicInteger();
    RingKvClient client = clientOf(new KeyValueGrpc.KeyValueImplBase() {
      @Override
      public StreamObserver<SessionRequest> session(StreamObserver<SessionResponse> answers) {
        sessions.incrementAndGet();
        return new StreamObserver<>() {
          @Override
          public void onNext(SessionRequest r) {
            answers.onCompleted(); // stopping: the request is not taken
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        };
      }
    });
    assertThatThrownBy(() -> client.put("k", "v", Context.EMPTY))
        .isInstanceOfSatisfying(RingKvException.class, e -> {
          assertThat(e.code()).isEqualTo(RingKvException.Code.UNAVAILABLE);
          assertThat(e.getMessage()).contains("ended the session before taking the request");
        });
    // The next request opens a new session.
    assertThatThrownBy(() -> client.get("k")).isInstanceOf(RingKvException.class);
    assertThat(sessions.get()).isEqualTo(2);
  }

  @Test
  void aNodeWithoutSessionsIsAskedWithUnaryCalls() throws Exception {
    FakeKeyValue fake = new FakeKeyValue(); // implements Get, Put and Delete only
    RingKvClient client = clientOf(fake);
    Context c = client.put("k", "v1", Context.EMPTY);
    client.put("k", "v2", c);
    assertThat(client.get("k").stringValues()).containsExactly("v2");
    client.delete("k", client.get("k").context());
    assertThat(client.get("k").found()).isFalse();
    // One attempt at a session, answered UNIMPLEMENTED; every request as a unary call.
    assertThat(methodsCalled)
        .containsExactly("Session", "Put", "Put", "Get", "Get", "Delete", "Get");
  }

  @Test
  void cancellingARequestCancelsTheUnaryCallMadeInsteadOfASession() throws Exception {
    // No sessions (UNIMPLEMENTED); a get that is never answered, noting when it is cancelled.
    CountDownLatch asked = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    RingKvClient client = clientOf(new KeyValueGrpc.KeyValueImplBase() {
      @Override
      public void get(GetRequest request, StreamObserver<GetResponse> out) {
        io.grpc.Context.current().addListener(c -> cancelled.countDown(), Runnable::run);
        asked.countDown();
      }
    });
    // A deadline far beyond the wait below: only the cancel can end the call in time.
    CompletableFuture<GetResult> get = client.getAsync("k".getBytes(UTF_8),
        ReadOptions.DEFAULTS.withTimeout(Duration.ofMinutes(5)));
    assertThat(asked.await(5, TimeUnit.SECONDS)).as("the get reached the node").isTrue();
    get.cancel(true);
    assertThat(cancelled.await(5, TimeUnit.SECONDS)).as("the node saw the call cancelled").isTrue();
    assertThat(methodsCalled).containsExactly("Session", "Get");
  }

  @Test
  void deadlinesAreKeptAfterAnIdleSpellWithoutWakingUpWhileIdle() throws Exception {
    // Answers requests for key "answer", never any other.
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(answering(r -> r.getGet().getKey().equals(bs("answer"))
            ? SessionResponse.newBuilder().setId(r.getId())
                .setGet(GetResponse.getDefaultInstance()).build()
            : null))
        .build().start();
    toClose.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    toClose.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    Sessions sessions = new Sessions(version -> {});
    toClose.add(sessions);

    assertThat(sessions.send(channel, getOf("answer"), System.nanoTime() + 5_000_000_000L)
        .get(5, TimeUnit.SECONDS).hasGet()).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> !sessions.sweeping());

    CompletableFuture<SessionResponse> unanswered =
        sessions.send(channel, getOf("never"), System.nanoTime() + 50_000_000L);
    assertThat(sessions.sweeping()).isTrue();
    assertThatThrownBy(() -> unanswered.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(RingKvException.class)
        .hasMessageContaining("no answer within the deadline");
    await().atMost(Duration.ofSeconds(5)).until(() -> !sessions.sweeping());
  }

  /**
   * A node whose sessions answer each request with {@code answer}'s response (none when it
   * returns null), and end when the client ends them.
   */
  private static KeyValueGrpc.KeyValueImplBase answering(
      Function<SessionRequest, SessionResponse> answer) {
    return new KeyValueGrpc.KeyValueImplBase() {
      @Override
      public StreamObserver<SessionRequest> session(StreamObserver<SessionResponse> answers) {
        return new StreamObserver<>() {
          @Override
          public synchronized void onNext(SessionRequest r) {
            SessionResponse response = answer.apply(r);
            if (response != null) {
              answers.onNext(response);
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            answers.onCompleted();
          }
        };
      }
    };
  }

  private static SessionRequest.Builder getOf(String key) {
    return SessionRequest.newBuilder().setGet(GetRequest.newBuilder().setKey(bs(key)));
  }

  @Test
  void aWriteTheNodeDidNotTakeGoesToTheNextHomeReplica() throws Exception {
    // Two nodes, "A" and "B" (in-process servers), each key on both. A ends every session
    // without taking its request (as a stopping node does); B answers every put.
    AtomicInteger offeredToA = new AtomicInteger();
    String a = InProcessServerBuilder.generateName();
    String b = InProcessServerBuilder.generateName();
    Server serverA = InProcessServerBuilder.forName(a).directExecutor()
        .addService(new ClusterGrpc.ClusterImplBase() {
          @Override
          public void getRing(GetRingRequest request, StreamObserver<GetRingResponse> out) {
            out.onNext(GetRingResponse.newBuilder().setVersion(1).setPartitions(2).setReplicas(2)
                .addNodes(RingNode.newBuilder().setId("A").setAddress(a))
                .addNodes(RingNode.newBuilder().setId("B").setAddress(b))
                .addOwners(0).addOwners(1).build());
            out.onCompleted();
          }
        })
        .addService(new KeyValueGrpc.KeyValueImplBase() {
          @Override
          public StreamObserver<SessionRequest> session(StreamObserver<SessionResponse> answers) {
            return new StreamObserver<>() {
              @Override
              public void onNext(SessionRequest r) {
                offeredToA.incrementAndGet();
                answers.onCompleted();
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            };
          }
        })
        .build().start();
    toClose.add(() -> serverA.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    Server serverB = InProcessServerBuilder.forName(b).directExecutor()
        .addService(answering(r -> SessionResponse.newBuilder().setId(r.getId())
            .setPut(PutResponse.newBuilder().setContext(r.getPut().getKey())).build()))
        .build().start();
    toClose.add(() -> serverB.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    RingRouter router = new RingRouter(a,
        name -> InProcessChannelBuilder.forName(name).directExecutor().build());
    GrpcKeyValue kv = new GrpcKeyValue(router, Duration.ofSeconds(5));
    toClose.add(kv);
    await().atMost(Duration.ofSeconds(10)).until(() -> router.version() == 1);

    for (int i = 0; i < 20; i++) {
      ByteString key = bs("key-" + i);
      Context written = kv.put(key, bs("v"), Context.EMPTY, WriteOptions.DEFAULTS)
          .get(5, TimeUnit.SECONDS);
      assertThat(written.byteString()).isEqualTo(key); // B's answer
    }
    assertThat(offeredToA.get()).as("some keys had A as their first home replica").isPositive();
  }

  private static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
