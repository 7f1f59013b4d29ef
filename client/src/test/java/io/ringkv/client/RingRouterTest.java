package io.ringkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.ClusterGrpc;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetRingRequest;
import io.ringkv.api.v1.GetRingResponse;
import io.ringkv.api.v1.KeyValueGrpc;
import io.ringkv.api.v1.RingNode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The routing client against a real gRPC server on loopback that serves a ring: it fetches the
 * ring, routes by it, and refreshes it when a response names a newer ring version.
 */
class RingRouterTest {

  @Test
  void aNewerRingVersionInAResponseMakesTheClientRefresh() throws Exception {
    AtomicLong version = new AtomicLong(1);
    AtomicLong ringFetches = new AtomicLong();
    ServerInterceptor stamp = new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        return next.startCall(new SimpleForwardingServerCall<Q, A>(call) {
          @Override
          public void sendHeaders(Metadata h) {
            h.put(RingRouter.RING_VERSION, Long.toString(version.get()));
            super.sendHeaders(h);
          }
        }, headers);
      }
    };
    FakeKeyValue kv = new FakeKeyValue();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(kv, stamp))
        .addService(new ClusterGrpc.ClusterImplBase() {
          @Override
          public void getRing(GetRingRequest request, StreamObserver<GetRingResponse> out) {
            ringFetches.incrementAndGet();
            GetRingResponse.Builder b = GetRingResponse.newBuilder().setVersion(version.get())
                .setPartitions(4).setReplicas(1)
                .addNodes(RingNode.newBuilder().setId("only").setAddress("127.0.0.1:"
                    + ((InetSocketAddress) serverAddress[0]).getPort()));
            for (int p = 0; p < 4; p++) {
              b.addOwners(0);
            }
            out.onNext(b.build());
            out.onCompleted();
          }
        })
        .build().start();
    serverAddress[0] = server.getListenSockets().get(0);
    ClientLoops loops = new ClientLoops(1);
    RingRouter router = new RingRouter("127.0.0.1:" + server.getPort(), loops::open);
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> router.version() == 1);
      // Routed: the key's home replica first, then the seed as a last resort.
      assertThat(router.channelsFor(ByteString.copyFromUtf8("k"))).hasSize(2);
      long fetches = ringFetches.get();

      KeyValueGrpc.newBlockingStub(router.channelsFor(ByteString.copyFromUtf8("k")).get(0))
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build());
      assertThat(ringFetches.get()).as("same version: no refresh").isEqualTo(fetches);

      version.set(2); // the cluster's ring changed
      KeyValueGrpc.newBlockingStub(router.channelsFor(ByteString.copyFromUtf8("k")).get(0))
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .get(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build());
      await().atMost(Duration.ofSeconds(10)).until(() -> router.version() == 2);
    } finally {
      router.close();
      loops.close();
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private final java.net.SocketAddress[] serverAddress = new java.net.SocketAddress[1];
}
