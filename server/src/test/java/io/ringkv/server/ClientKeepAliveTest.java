package io.ringkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ringkv.client.Context;
import io.ringkv.client.RingKvClient;
import io.ringkv.config.ConfigLoader;
import io.ringkv.server.testing.BlackHoleProxy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client's connection to a node, dropped silently by the network (no FIN, no reset), is
 * noticed by HTTP/2 keepalive and dialled again: the application's calls work again after about
 * 15 s instead of failing at their deadline until TCP gives up, 15 minutes later. A real node
 * (RocksDB, gRPC on loopback) behind a TCP relay that swallows the connection open at the time.
 */
class ClientKeepAliveTest {

  @TempDir Path dir;

  private RingKvNode node;
  private BlackHoleProxy proxy;
  private RingKvClient client;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aClientConnectionTheNetworkDroppedSilentlyIsReplaced() throws Exception {
    node = RingKvNode.start(ConfigLoader.load(null, Map.of(
        "port", "0",
        "data-dir", dir.resolve("data").toString(),
        "replication.n", "1", "replication.r", "1", "replication.w", "1")));
    proxy = new BlackHoleProxy(new InetSocketAddress("127.0.0.1", node.port()));
    // Not routed: a routing client would fetch the ring and dial the node's own address.
    client = RingKvClient.builder().target(proxy.address()).routing(false)
        .defaultTimeout(Duration.ofSeconds(1)).build();
    client.put("k", "v0", Context.EMPTY);
    assertThat(proxy.connectionsAccepted()).isEqualTo(1);

    proxy.blackHoleOpenConnections();

    AtomicInteger written = new AtomicInteger();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> {
          client.put("k", "v" + (written.get() + 1), client.get("k").context());
          written.incrementAndGet();
          return true;
        });
    assertThat(proxy.connectionsAccepted())
        .as("the client dialled a new connection").isGreaterThanOrEqualTo(2);
    assertThat(client.get("k").stringValues()).containsExactly("v1");
  }
}
