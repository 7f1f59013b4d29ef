package io.ringkv.server.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.ClusterGrpc;
import io.ringkv.api.v1.GetRingRequest;
import io.ringkv.api.v1.GetRingResponse;
import io.ringkv.api.v1.RingNode;
import io.ringkv.ring.Ring;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The public {@code ringkv.v1.Cluster} service (the ring, for client-side routing), and the
 * interceptor that stamps every response with the ring version so clients know when to refresh.
 */
public final class ClusterService extends ClusterGrpc.ClusterImplBase {

  /** The response header carrying the serving node's ring version. */
  public static final Metadata.Key<String> RING_VERSION =
      Metadata.Key.of("ringkv-ring-version", Metadata.ASCII_STRING_MARSHALLER);

  private final Supplier<Ring> ring;
  private final Function<String, String> addressOf;
  private final int replicas;

  public ClusterService(Supplier<Ring> ring, Function<String, String> addressOf, int replicas) {
    this.ring = ring;
    this.addressOf = addressOf;
    this.replicas = replicas;
  }

  @Override
  public void getRing(GetRingRequest request, StreamObserver<GetRingResponse> observer) {
    Ring r = ring.get();
    List<String> nodes = r.nodes();
    Map<String, Integer> index = new HashMap<>();
    GetRingResponse.Builder b = GetRingResponse.newBuilder()
        .setVersion(r.version())
        .setPartitions(r.partitionCount())
        .setReplicas(replicas);
    for (String node : nodes) {
      index.put(node, index.size());
      String address = addressOf.apply(node);
      b.addNodes(RingNode.newBuilder().setId(node).setAddress(address == null ? "" : address));
    }
    for (int p = 0; p < r.partitionCount(); p++) {
      b.addOwners(index.get(r.owner(p)));
    }
    observer.onNext(b.build());
    observer.onCompleted();
  }

  /** Adds {@link #RING_VERSION} to the headers of every call it wraps. */
  public static ServerInterceptor ringVersionHeader(Supplier<Ring> ring) {
    return new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        return next.startCall(
            new SimpleForwardingServerCall<Q, A>(call) {
              @Override
              public void sendHeaders(Metadata responseHeaders) {
                responseHeaders.put(RING_VERSION, Long.toString(ring.get().version()));
                super.sendHeaders(responseHeaders);
              }
            },
            headers);
      }
    };
  }
}
