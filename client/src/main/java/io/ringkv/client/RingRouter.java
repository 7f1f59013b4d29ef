package io.ringkv.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.ringkv.api.v1.ClusterGrpc;
import io.ringkv.api.v1.GetRingRequest;
import io.ringkv.api.v1.GetRingResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Routes each key to its home replicas, from the ring the cluster serves ({@code
 * Cluster.GetRing}): the node that owns the key's partition first, then the next distinct owners
 * clockwise. Until the ring is known, or for a node it cannot place, it uses the seed node, which
 * forwards. Every response carries the serving node's ring version; a newer one than ours
 * triggers one background refresh.
 */
final class RingRouter implements ChannelRouter {

  static final Metadata.Key<String> RING_VERSION =
      Metadata.Key.of("ringkv-ring-version", Metadata.ASCII_STRING_MARSHALLER);

  /** The ring as the client uses it: per partition, the addresses of its home replicas. */
  private record Snapshot(long version, int shift, List<List<String>> homes) {}

  private final ManagedChannel seed;
  private final Channel seedIntercepted;
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  private final List<ManagedChannel> owned = new ArrayList<>();
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private final ClientInterceptor versionWatcher = new VersionWatcher();
  private final Function<String, ManagedChannel> open;
  private volatile Snapshot ring;
  private volatile boolean closed;

  /** @param open opens a channel to a target (the router shuts down every channel it opened) */
  RingRouter(String seedTarget, Function<String, ManagedChannel> open) {
    this.open = open;
    this.seed = open.apply(seedTarget);
    this.seedIntercepted = ClientInterceptors.intercept(seed, versionWatcher);
    refresh();
  }

  @Override
  public List<Channel> channelsFor(ByteString key) {
    Snapshot s = ring;
    if (s == null) {
      return List.of(seedIntercepted);
    }
    int partition = s.shift == 64 ? 0 : (int) (token(key) >>> s.shift);
    List<String> home = s.homes.get(partition);
    List<Channel> out = new ArrayList<>(home.size() + 1);
    for (String address : home) {
      out.add(channels.computeIfAbsent(address, this::intercepted));
    }
    // Last resort: the node we were pointed at, which forwards. It saves the day when the
    // advertised addresses are not reachable from here (a cluster behind NAT or in containers).
    out.add(seedIntercepted);
    return out;
  }

  /** The ring version this router routes by, or -1 before the first fetch completes. */
  long version() {
    Snapshot s = ring;
    return s == null ? -1 : s.version;
  }

  @Override
  public void ringVersionSeen(long version) {
    if (version > version()) {
      refresh();
    }
  }

  /** Fetches the ring in the background, unless a fetch is already running. */
  void refresh() {
    if (closed || !refreshing.compareAndSet(false, true)) {
      return;
    }
    Futures.addCallback(
        ClusterGrpc.newFutureStub(seed)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .getRing(GetRingRequest.getDefaultInstance()),
        new FutureCallback<GetRingResponse>() {
          @Override
          public void onSuccess(GetRingResponse r) {
            try {
              Snapshot next = snapshot(r);
              Snapshot current = ring;
              if (next != null && (current == null || next.version >= current.version)) {
                ring = next;
              }
            } finally {
              refreshing.set(false);
            }
          }

          @Override
          public void onFailure(Throwable t) {
            // Keep routing by what we have (or through the seed); the next response retries.
            refreshing.set(false);
          }
        },
        MoreExecutors.directExecutor());
  }

  private static Snapshot snapshot(GetRingResponse r) {
    int q = r.getPartitions();
    if (q < 1 || Integer.bitCount(q) != 1 || r.getOwnersCount() != q || r.getNodesCount() == 0) {
      return null; // not a ring we understand: keep using the seed
    }
    int n = Math.min(Math.max(1, r.getReplicas()), r.getNodesCount());
    List<List<String>> homes = new ArrayList<>(q);
    for (int p = 0; p < q; p++) {
      List<String> home = new ArrayList<>(n);
      for (int i = 0; i < q && home.size() < n; i++) {
        String address = r.getNodes(r.getOwners((p + i) % q)).getAddress();
        if (!address.isEmpty() && !home.contains(address)) {
          home.add(address);
        }
      }
      homes.add(List.copyOf(home));
    }
    return new Snapshot(r.getVersion(), 64 - Integer.numberOfTrailingZeros(q), homes);
  }

  // The same placement as the server's KeyHash (the client does not depend on the ring module):
  // the first 8 bytes of the key's MD5. One digest per thread, not one lookup per request.
  private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
  });

  static long token(ByteString key) {
    MessageDigest md5 = MD5.get();
    key.asReadOnlyByteBufferList().forEach(md5::update);
    byte[] d = md5.digest();
    long t = 0;
    for (int i = 0; i < 8; i++) {
      t = (t << 8) | (d[i] & 0xFF);
    }
    return t;
  }

  private Channel intercepted(String address) {
    ManagedChannel c = open.apply(address);
    synchronized (owned) {
      owned.add(c);
    }
    return ClientInterceptors.intercept(c, versionWatcher);
  }

  @Override
  public void close() {
    closed = true;
    List<ManagedChannel> all;
    synchronized (owned) {
      all = new ArrayList<>(owned);
    }
    all.add(seed);
    all.forEach(ManagedChannel::shutdown);
    all.forEach(ChannelRouter::shutdown);
  }

  /** Watches response headers for a ring version newer than ours. */
  private final class VersionWatcher implements ClientInterceptor {
    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(
        MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
      return new SimpleForwardingClientCall<Q, A>(next.newCall(method, options)) {
        @Override
        public void start(Listener<A> listener, Metadata headers) {
          super.start(
              new SimpleForwardingClientCallListener<A>(listener) {
                @Override
                public void onHeaders(Metadata h) {
                  String v = h.get(RING_VERSION);
                  if (v != null) {
                    try {
                      ringVersionSeen(Long.parseLong(v));
                    } catch (NumberFormatException ignored) {
                      // a server we do not understand: keep routing as we do
                    }
                  }
                  super.onHeaders(h);
                }
              },
              headers);
        }
      };
    }
  }
}
