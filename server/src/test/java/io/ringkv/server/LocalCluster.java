package io.ringkv.server;

import io.ringkv.client.RingKvClient;
import io.ringkv.config.ConfigLoader;
import io.ringkv.server.testing.LoopbackPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Several real nodes in this JVM, each with RocksDB in its own folder and its own port. */
final class LocalCluster implements AutoCloseable {

  private final Path dir;
  private final List<String> ids = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final Map<String, String> extra;
  private final RingKvNode[] nodes;
  private final List<RingKvClient> clients = new ArrayList<>();

  LocalCluster(Path dir, int size, Map<String, String> extra) {
    this.dir = dir;
    this.extra = extra;
    this.nodes = new RingKvNode[size];
    for (int i = 0; i < size; i++) {
      ids.add("n" + (i + 1));
      ports.add(LoopbackPorts.free());
    }
    for (int i = 0; i < size; i++) {
      start(i);
    }
    awaitAllUp();
  }

  /** Waits until every node's failure detector trusts every other node (nodes start in turn). */
  void awaitAllUp() {
    // "Up" must hold for a while: a node not heard from yet counts as up, and probes sent
    // before a later node was listening can still fail and mark it down a moment after.
    org.awaitility.Awaitility.await("every node sees every node up")
        .atMost(java.time.Duration.ofSeconds(30))
        .during(java.time.Duration.ofMillis(1500))
        .until(() -> {
          for (RingKvNode n : nodes) {
            for (String id : ids) {
              if (!n.failureDetector().isUp(id)) {
                return false;
              }
            }
          }
          return true;
        });
  }

  int size() {
    return nodes.length;
  }

  String id(int i) {
    return ids.get(i);
  }

  int indexOf(String id) {
    return ids.indexOf(id);
  }

  RingKvNode node(int i) {
    return nodes[i];
  }

  RingKvNode node(String id) {
    return nodes[indexOf(id)];
  }

  String target(int i) {
    return "127.0.0.1:" + ports.get(i);
  }

  /** (Re)starts node i with its data folder and port. */
  void start(int i) {
    String members = java.util.stream.IntStream.range(0, nodes.length)
        .mapToObj(j -> ids.get(j) + "@127.0.0.1:" + ports.get(j))
        .collect(Collectors.joining(","));
    Map<String, String> o = new HashMap<>();
    o.put("node-id", ids.get(i));
    o.put("host", "127.0.0.1");
    o.put("port", Integer.toString(ports.get(i)));
    o.put("data-dir", dir.resolve(ids.get(i)).toString());
    o.put("members", members);
    o.put("partitions", "64");
    o.put("timeouts.request-ms", "3000");
    o.put("timeouts.replica-ms", "1000");
    o.putAll(extra);
    nodes[i] = RingKvNode.start(ConfigLoader.load(null, o));
  }

  /** Stops node i cleanly (its port stops answering). */
  void stop(int i) {
    nodes[i].close();
  }

  /** A client talking to node i only (no routing: node i coordinates or forwards). */
  RingKvClient clientOf(int i) {
    RingKvClient c = RingKvClient.builder().target(target(i)).routing(false)
        .defaultTimeout(Duration.ofSeconds(10)).build();
    clients.add(c);
    return c;
  }

  /** A client that fetches the ring from node i and routes every key to its replicas. */
  RingKvClient routingClient(int i) {
    RingKvClient c = RingKvClient.builder().target(target(i))
        .defaultTimeout(Duration.ofSeconds(10)).build();
    clients.add(c);
    return c;
  }

  @Override
  public void close() {
    clients.forEach(RingKvClient::close);
    for (RingKvNode n : nodes) {
      if (n != null) {
        n.close();
      }
    }
  }
}
