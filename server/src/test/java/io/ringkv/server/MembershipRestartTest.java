package io.ringkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.client.Context;
import io.ringkv.client.RingKvAdmin;
import io.ringkv.client.RingKvClient;
import io.ringkv.client.WriteOptions;
import io.ringkv.config.ConfigLoader;
import io.ringkv.gossip.ClusterState;
import io.ringkv.ring.Ring;
import io.ringkv.server.testing.LoopbackPorts;
import io.ringkv.storage.Cursor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The membership a node keeps across restarts: it rejoins with the ring it knew and catches up by
 * gossip, and it refuses to start when its configuration would put it in another cluster.
 */
class MembershipRestartTest {

  @TempDir Path dir;

  private final Map<String, RingKvNode> nodes = new TreeMap<>();
  private final Map<String, Integer> ports = new HashMap<>();

  private String address(String id) {
    return "127.0.0.1:" + ports.computeIfAbsent(id, x -> LoopbackPorts.free());
  }

  private String members(String... ids) {
    return List.of(ids).stream().map(id -> id + "@" + address(id))
        .collect(Collectors.joining(","));
  }

  private RingKvNode start(String id, String cluster, String seed, String members) {
    return start(id, cluster, seed, members, Map.of());
  }

  private RingKvNode start(String id, String cluster, String seed, String members,
      Map<String, String> more) {
    Map<String, String> o = new HashMap<>(more);
    o.put("cluster-name", cluster);
    o.put("node-id", id);
    o.put("host", "127.0.0.1");
    o.put("port", address(id).substring("127.0.0.1:".length()));
    o.put("data-dir", dir.resolve(id).toString());
    if (seed != null) {
      o.put("seeds", seed);
    }
    if (members != null) {
      o.put("members", members);
    }
    o.put("partitions", "32");
    o.put("membership.gossip-interval-ms", "100");
    o.put("membership.transfer-retry-ms", "200");
    o.put("failure-detector.probe-interval-ms", "100");
    RingKvNode node = RingKvNode.start(ConfigLoader.load(null, o));
    nodes.put(id, node);
    return node;
  }

  private void stop(String id) {
    nodes.remove(id).close();
  }

  @AfterEach
  void close() {
    nodes.values().forEach(RingKvNode::close);
  }

  @Test
  void aRestartedNodeKeepsItsRingAndCatchesUpOnChangesMadeWhileItWasDown() {
    String three = members("n1", "n2", "n3");
    for (String id : List.of("n1", "n2", "n3")) {
      start(id, "c", address("n1"), three);
    }
    long before = nodes.get("n3").ring().version();
    stop("n3");

    start("n4", "c", address("n1"), null);
    try (RingKvAdmin admin = RingKvAdmin.connect(address("n4"), Duration.ofSeconds(10))) {
      admin.join(address("n1"), false);
    }
    Awaitility.await("n1, n2, n4 settle on a ring with n4").atMost(Duration.ofSeconds(60))
        .until(() -> nodes.values().stream().allMatch(n -> n.gossiper().state().settled()
            && n.ring().nodes().contains("n4")));
    ClusterState expected = nodes.get("n1").gossiper().state();
    assertThat(expected.ring().version()).isGreaterThan(before);

    // n4 joined through the admin path (no `members`): restarted alone (the others are down)
    // and without any seed, it still has the cluster's ring, read back from its disk.
    stop("n1");
    stop("n2");
    stop("n4");
    RingKvNode n4 = start("n4", "c", null, null);
    assertThat(n4.gossiper().state().ring()).isEqualTo(expected.ring());
    assertThat(n4.gossiper().state().clusterId()).isEqualTo(expected.clusterId());
    start("n1", "c", address("n1"), three);
    start("n2", "c", address("n1"), three);
    assertThat(nodes.get("n1").ring()).isEqualTo(expected.ring());

    // n3 was down during the change; restarted with its original configuration, the saved
    // state wins over `members`, and gossip brings it the change.
    RingKvNode n3 = start("n3", "c", address("n1"), three);
    Awaitility.await("n3 catches up by gossip").atMost(Duration.ofSeconds(30))
        .until(() -> n3.gossiper().state().ring().equals(expected.ring()));
    assertThat(n3.ring().nodes()).containsExactly("n1", "n2", "n3", "n4");
  }

  /** The keys in a node's storage, split by whether the node is a home replica of them. */
  private static long[] homeAndOtherKeys(RingKvNode node) {
    Ring ring = node.ring();
    long[] out = new long[2];
    try (Cursor c = node.localReplica().store().engine().scan(StorageEngine.Space.DATA, null,
        null)) {
      while (c.hasNext()) {
        byte[] key = VersionedStore.userKey(c.next().key());
        boolean home = ClusterState.homes(ring, ring.partitionOf(key))
            .contains(node.config().nodeId());
        out[home ? 0 : 1]++;
      }
    }
    return out;
  }

  @Test
  void aNodeRestartedBeforeItDroppedWhatMovedAwayDropsItAfterTheGrace() {
    // The drop after a commit waits out the forwarding grace: ten minutes here, so n1 is
    // restarted while it still holds what moved to n4.
    Map<String, String> longGrace = Map.of("membership.forward-grace-ms", "600000");
    String three = members("n1", "n2", "n3");
    for (String id : List.of("n1", "n2", "n3")) {
      start(id, "c", address("n1"), three, longGrace);
    }
    try (RingKvClient client = RingKvClient.builder().target(address("n1")).routing(false)
        .defaultTimeout(Duration.ofSeconds(10)).build()) {
      for (int i = 0; i < 300; i++) {
        byte[] key = ("k" + i).getBytes(StandardCharsets.UTF_8);
        // Retried while a replica is briefly unreachable (the first calls of freshly started
        // nodes): every node must hold every key before n4 joins.
        Awaitility.await("put k" + i).atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
            .ignoreExceptions().until(() -> {
              client.put(key, key, Context.EMPTY, WriteOptions.DEFAULTS.withW(3));
              return true;
            });
      }
    }
    start("n4", "c", address("n1"), null, longGrace);
    try (RingKvAdmin admin = RingKvAdmin.connect(address("n4"), Duration.ofSeconds(10))) {
      admin.join(address("n1"), false);
    }
    Awaitility.await("the ring with n4 commits").atMost(Duration.ofSeconds(60))
        .until(() -> nodes.values().stream().allMatch(n -> n.gossiper().state().settled()
            && n.ring().nodes().contains("n4")));
    long[] before = homeAndOtherKeys(nodes.get("n1"));
    assertThat(before[0] + before[1]).isEqualTo(300);
    assertThat(before[1]).as("keys n1 no longer holds, kept for the grace").isPositive();

    stop("n1");
    RingKvNode n1 = start("n1", "c", address("n1"), three,
        Map.of("membership.forward-grace-ms", "200"));
    Awaitility.await("n1 drops what moved away").atMost(Duration.ofSeconds(30))
        .until(() -> homeAndOtherKeys(n1)[1] == 0);
    assertThat(homeAndOtherKeys(n1)[0]).as("n1 keeps every key it is a home replica of")
        .isEqualTo(before[0]);
  }

  @Test
  void aNodeRestartedWithAnotherClusterNameIsRefused() {
    start("n1", "alpha", address("n1"), null);
    stop("n1");
    assertThatThrownBy(() -> start("n1", "beta", address("n1"), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cluster-name is 'beta'")
        .hasMessageContaining("belongs to cluster 'alpha'")
        .hasMessageContaining(dir.resolve("n1").toString());
  }

  @Test
  void aMemberRestartedWithTheSeedsOfAnotherClusterIsRefused() {
    String x = members("x1", "x2");
    start("x1", "c", address("x1"), x);
    start("x2", "c", address("x1"), x);
    String y = members("y1", "y2");
    start("y1", "c", address("y1"), y);
    start("y2", "c", address("y1"), y);
    stop("x2");
    assertThatThrownBy(() -> start("x2", "c", address("y1"), x))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("seed " + address("y1") + " belongs to another cluster")
        .hasMessageContaining("fix seeds");
    // The other cluster was not touched.
    assertThat(nodes.get("y1").gossiper().state().members().keySet())
        .isEqualTo(Set.of("y1", "y2"));
    // With the right seeds it starts and is a member as before.
    RingKvNode x2 = start("x2", "c", address("x1"), x);
    assertThat(x2.ring().nodes()).containsExactly("x1", "x2");
  }
}
