package io.ringkv.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Server;
import io.ringkv.env.SystemClock;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.server.replica.Peer;
import io.ringkv.server.testing.BlackHoleProxy;
import io.ringkv.server.testing.LoopbackPorts;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection to a live peer that the network drops silently (no FIN, no reset: the peer's host
 * lost power and came back, a NAT forgot the flow) is noticed by HTTP/2 keepalive and dialled
 * again, instead of failing every call at its deadline until TCP gives up retransmitting (15
 * minutes). Real replica service, real channels, a TCP relay in between that swallows the
 * connection open when the test starts.
 */
class PeerKeepAliveTest {

  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final NetworkThreads callerNetwork = NetworkThreads.start("caller", 1);
  private final NetworkThreads peerNetwork = NetworkThreads.start("peer", 1);
  private final InMemoryStorageEngine engine = new InMemoryStorageEngine();
  private final LocalReplica replica = new LocalReplica(
      new VersionedStore(engine, StorageEngine.Durability.BUFFERED),
      new HintStore(engine, StorageEngine.Durability.BUFFERED, 1 << 20), Runnable::run,
      SystemClock.INSTANCE);
  private Server server;
  private BlackHoleProxy proxy;
  private GrpcPeers peers;

  @AfterEach
  void stop() throws Exception {
    if (peers != null) {
      peers.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    timers.shutdownNow();
    callerNetwork.close();
    peerNetwork.close();
  }

  @Test
  void aConnectionTheNetworkDroppedSilentlyIsReplaced() throws Exception {
    server = peerNetwork.server(new InetSocketAddress("127.0.0.1", LoopbackPorts.free()))
        .directExecutor()
        .addService(new ReplicaService(replica, null))
        .build().start();
    proxy = new BlackHoleProxy(new InetSocketAddress("127.0.0.1", server.getPort()));
    Duration deadline = Duration.ofSeconds(1);
    peers = new GrpcPeers(callerNetwork, node -> proxy.address(), deadline, deadline, 1 << 20,
        timers);
    Peer p = peers.peer("p");
    p.merge(b("k"), version("v1", 1)).get(10, TimeUnit.SECONDS);
    assertThat(proxy.connectionsAccepted()).isEqualTo(1);

    proxy.blackHoleOpenConnections();

    // Keepalive pings after 10 s without a frame and gives up 5 s later; TCP alone would keep
    // the dead connection for 15 minutes. Each attempt fails at its 1 s deadline until then.
    AtomicInteger counter = new AtomicInteger(1);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> {
          p.merge(b("k"), version("v" + counter.incrementAndGet(), counter.get()))
              .get(5, TimeUnit.SECONDS);
          return true;
        });
    assertThat(proxy.connectionsAccepted())
        .as("the caller dialled a new connection").isGreaterThanOrEqualTo(2);
    assertThat(p.read(b("k")).get(5, TimeUnit.SECONDS).values())
        .as("the write that got through is stored at the peer")
        .anySatisfy(v -> assertThat(new String(v, StandardCharsets.UTF_8))
            .isEqualTo("v" + counter.get()));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static VersionedObject version(String value, long counter) {
    return VersionedObject.EMPTY.write(VersionVector.EMPTY,
        new Dot(new Actor("a", 1), counter), b(value), 1_000, 10);
  }
}
