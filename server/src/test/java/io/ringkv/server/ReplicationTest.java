package io.ringkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ringkv.client.Context;
import io.ringkv.client.GetResult;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingKvClient;
import io.ringkv.client.RingKvException;
import io.ringkv.client.WriteOptions;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Clusters of real nodes on loopback ports: placement, quorums, siblings, read repair. */
class ReplicationTest {

  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> strings(GetResult r) {
    return r.values().stream().map(v -> new String(v, StandardCharsets.UTF_8)).sorted().toList();
  }

  private static List<String> home(LocalCluster c, String key) {
    return c.node(0).ring().preferenceList(b(key)).subList(0, 3);
  }

  private static VersionedObject stored(LocalCluster c, String node, String key) {
    return c.node(node).localReplica().store().get(b(key));
  }

  @ParameterizedTest(name = "{0} nodes")
  @ValueSource(ints = {3, 5})
  void everyKeyLandsOnExactlyItsHomeReplicas(int size) {
    try (LocalCluster c = new LocalCluster(dir, size, Map.of())) {
      RingKvClient client = c.clientOf(0);
      for (int i = 0; i < 200; i++) {
        client.put("key-" + i, "v" + i, Context.EMPTY, WriteOptions.DEFAULTS.withW(3));
      }
      for (int i = 0; i < 200; i++) {
        String key = "key-" + i;
        List<String> home = home(c, key);
        assertThat(home).doesNotHaveDuplicates();
        for (int n = 0; n < size; n++) {
          VersionedObject o = stored(c, c.id(n), key);
          if (home.contains(c.id(n))) {
            assertThat(o.values()).as("%s on home replica %s", key, c.id(n)).hasSize(1);
          } else {
            assertThat(o).as("%s on non-replica %s", key, c.id(n)).isEqualTo(VersionedObject.EMPTY);
          }
        }
      }
    }
  }

  @Test
  void quorumsBehaveAsSpecifiedWithOneReplicaDown() {
    try (LocalCluster c = new LocalCluster(dir, 3, Map.of())) {
      RingKvClient client = c.clientOf(0);
      for (int w = 1; w <= 3; w++) {
        client.put("q", "w" + w, Context.EMPTY, WriteOptions.DEFAULTS.withW(w));
      }
      for (int r = 1; r <= 3; r++) {
        assertThat(strings(client.get(b("q"), ReadOptions.DEFAULTS.withR(r))))
            .containsExactly("w1", "w2", "w3");
      }
      c.stop(2); // every key has all three nodes as home replicas: one is now down
      Context ctx = client.get("q").context();
      client.put("q", "two", ctx, WriteOptions.DEFAULTS.withW(2));
      client.put("q2", "one", Context.EMPTY, WriteOptions.DEFAULTS.withW(1));
      assertThatThrownBy(() -> client.put("q3", "x", Context.EMPTY, WriteOptions.DEFAULTS.withW(3)))
          .isInstanceOfSatisfying(RingKvException.class,
              e -> assertThat(e.code()).isEqualTo(RingKvException.Code.UNAVAILABLE));
      assertThat(strings(client.get(b("q"), ReadOptions.DEFAULTS.withR(2)))).containsExactly("two");
      assertThat(strings(client.get(b("q"), ReadOptions.DEFAULTS.withR(1)))).containsExactly("two");
      assertThatThrownBy(() -> client.get(b("q"), ReadOptions.DEFAULTS.withR(3)))
          .isInstanceOfSatisfying(RingKvException.class,
              e -> assertThat(e.code()).isEqualTo(RingKvException.Code.UNAVAILABLE));
      assertThatThrownBy(() -> client.get(b("q"), ReadOptions.DEFAULTS.withR(4)))
          .isInstanceOfSatisfying(RingKvException.class,
              e -> assertThat(e.code()).isEqualTo(RingKvException.Code.INVALID_ARGUMENT));
    }
  }

  @Test
  void staleConcurrentWritesBecomeSiblingsAndOneMergedPutResolvesThemEverywhere() {
    try (LocalCluster c = new LocalCluster(dir, 5, Map.of())) {
      RingKvClient alice = c.clientOf(0);
      RingKvClient bob = c.clientOf(3);
      Context base = alice.put("cart", "empty", Context.EMPTY, WriteOptions.DEFAULTS.withW(3));
      alice.put(b("cart"), b("apples"), base, WriteOptions.DEFAULTS.withW(3));
      bob.put(b("cart"), b("pears"), base, WriteOptions.DEFAULTS.withW(3));
      GetResult both = bob.get("cart");
      assertThat(strings(both)).containsExactly("apples", "pears");
      alice.put(b("cart"), b("apples+pears"), both.context(), WriteOptions.DEFAULTS.withW(3));
      for (String node : home(c, "cart")) {
        assertThat(stored(c, node, "cart").values()).as("on %s", node)
            .extracting(String::new).containsExactly("apples+pears");
      }
    }
  }

  @Test
  void theNextPutIsCoordinatedByTheReplicaThatAnsweredTheReadFirst() {
    try (LocalCluster c = new LocalCluster(dir, 5, Map.of())) {
      c.clientOf(0).put("k", "v1", Context.EMPTY, WriteOptions.DEFAULTS.withW(3));
      for (int via = 0; via < c.size(); via++) {
        Context read = c.clientOf(via).get("k").context();
        String first = io.ringkv.version.VersionCodec.decodeContext(read.toBytes()).coordinator();
        assertThat(home(c, "k")).contains(first);
        // Sent to some other node, the put is still coordinated by that replica: the new
        // version's context names the node that made it.
        Context written = c.clientOf((via + 1) % c.size())
            .put(b("k"), b("v" + via), read, WriteOptions.DEFAULTS.withW(3));
        assertThat(io.ringkv.version.VersionCodec.decodeContext(written.toBytes()).coordinator())
            .isEqualTo(first);
      }
    }
  }

  @Test
  void readRepairBringsAReturningReplicaUpToDate() {
    // Handoff held off: the coordinator keeps a hint for the down replica (no fallback in a
    // 3-node cluster), and handoff would deliver it before any read could repair.
    try (LocalCluster c = new LocalCluster(dir, 3, Map.of("timeouts.read-repair-wait-ms", "200",
        "handoff.interval-ms", "3600000"))) {
      c.stop(2);
      String down = c.id(2);
      RingKvClient client = c.clientOf(0);
      client.put("repair-me", "new", Context.EMPTY, WriteOptions.DEFAULTS.withW(2));
      c.start(2);
      assertThat(stored(c, down, "repair-me")).isEqualTo(VersionedObject.EMPTY);
      // Reads only: the coordinators reconnect to the returning node within about a second,
      // and the first read that reaches it repairs it.
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
          .untilAsserted(() -> {
            assertThat(strings(client.get(b("repair-me"), ReadOptions.DEFAULTS.withR(2))))
                .containsExactly("new");
            assertThat(stored(c, down, "repair-me").values()).extracting(String::new)
                .containsExactly("new");
          });
      assertThat(c.node(0).readRepairs()).isPositive();
      assertThat(c.node(0).metrics().scrape())
          .containsPattern("ringkv_read_repairs_total\\{node=\"n1\"\\} [1-9]")
          .containsPattern("ringkv_requests_seconds_count\\{node=\"n1\",op=\"get\",outcome=\"ok\"\\} [1-9]");
    }
  }

  @Test
  void forwardingAndClientRoutingGiveTheSameFinalState() {
    try (LocalCluster c = new LocalCluster(dir, 5, Map.of())) {
      RingKvClient router = c.routingClient(0);
      RingKvClient[] direct = new RingKvClient[c.size()];
      for (int i = 0; i < c.size(); i++) {
        direct[i] = c.clientOf(i);
      }
      long seed = new SplittableRandom().nextLong();
      System.out.println("forwarding vs routing workload seed " + seed);
      // One workload, twice: through random nodes (which forward) and through the router.
      Map<String, List<String>> viaNodes = runWorkload(seed, "fwd-",
          step -> direct[Math.floorMod(step * 7919, c.size())]);
      Map<String, List<String>> viaRouter = runWorkload(seed, "route-", step -> router);
      assertThat(viaRouter).as("seed %d", seed).isEqualTo(viaNodes);
      for (String key : List.of("route-0", "fwd-0")) {
        for (String node : home(c, key)) {
          // Stored on every home replica (possibly as a tombstone, if the workload deleted it).
          assertThat(stored(c, node, key)).isNotEqualTo(VersionedObject.EMPTY);
        }
      }
    }
  }

  private static Map<String, List<String>> runWorkload(
      long seed, String prefix, java.util.function.IntFunction<RingKvClient> clientFor) {
    SplittableRandom r = new SplittableRandom(seed);
    Map<String, Context> lastRead = new TreeMap<>();
    for (int step = 0; step < 300; step++) {
      String suffix = Integer.toString(r.nextInt(20));
      RingKvClient client = clientFor.apply(step);
      switch (r.nextInt(4)) {
        case 0 -> lastRead.put(suffix, client.get(prefix + suffix).context());
        case 1 -> client.put(b(prefix + suffix), b("blind" + step), Context.EMPTY,
            WriteOptions.DEFAULTS.withW(3));
        case 2 -> client.put(b(prefix + suffix), b("ctx" + step),
            lastRead.getOrDefault(suffix, Context.EMPTY), WriteOptions.DEFAULTS.withW(3));
        default -> client.delete(b(prefix + suffix),
            lastRead.getOrDefault(suffix, Context.EMPTY), WriteOptions.DEFAULTS.withW(3));
      }
    }
    Map<String, List<String>> state = new TreeMap<>();
    for (int k = 0; k < 20; k++) {
      state.put(Integer.toString(k),
          strings(clientFor.apply(k).get(b(prefix + k), ReadOptions.DEFAULTS.withR(3))));
    }
    return state;
  }
}
