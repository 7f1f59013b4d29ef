package io.ringkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ringkv.client.Context;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingKvClient;
import io.ringkv.client.WriteOptions;
import io.ringkv.storage.HintStore;
import io.ringkv.version.VersionCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Five real nodes, N=3, W=2: sloppy quorum and hinted handoff while home replicas are down. */
class HandoffTest {

  private static final Map<String, String> FAST = Map.of(
      "failure-detector.probe-interval-ms", "200",
      "handoff.interval-ms", "200",
      "timeouts.replica-ms", "3000");

  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> home(LocalCluster c, String key) {
    return c.node(0).ring().preferenceList(b(key)).subList(0, 3);
  }

  private static long hintsFor(LocalCluster c, String node) {
    long n = 0;
    for (int i = 0; i < c.size(); i++) {
      if (!c.id(i).equals(node) && c.node(i).localReplica() != null) {
        HintStore.Held held = c.node(i).localReplica().hints().held().get(node);
        n += held == null ? 0 : held.keys();
      }
    }
    return n;
  }

  private static boolean heldSomewhere(LocalCluster c, String node, String key) {
    for (int i = 0; i < c.size(); i++) {
      if (!c.id(i).equals(node)
          && !c.node(i).localReplica().hints().get(node, b(key)).siblings().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Every acknowledged write is in {@code node}'s own storage, for the keys it is home for. */
  private static void assertHoldsEveryAck(LocalCluster c, String node, Map<String, Context> acks) {
    for (Map.Entry<String, Context> e : acks.entrySet()) {
      if (!home(c, e.getKey()).contains(node)) {
        continue;
      }
      // A put's context is dotted: what the writer had seen, plus the dot of its write.
      var acked = VersionCodec.decodeContext(e.getValue().toBytes());
      var stored = c.node(node).localReplica().store().get(b(e.getKey()));
      assertThat(acked.dot()).isNotNull();
      assertThat(stored.covers(acked.dot()) && stored.context().descends(acked.vector()))
          .as("%s holds the acknowledged write of %s", node, e.getKey()).isTrue();
    }
  }

  @Test
  void writesWhileAHomeReplicaIsDownAreHandedOffWhenItReturns() {
    try (LocalCluster c = new LocalCluster(dir, 5, FAST)) {
      int victim = 2;
      String down = c.id(victim);
      c.stop(victim);
      RingKvClient client = c.clientOf(0);
      Map<String, Context> acks = new LinkedHashMap<>();
      for (int i = 0; i < 300; i++) {
        String key = "k" + i;
        acks.put(key, client.put(b(key), b("v" + i), Context.EMPTY, WriteOptions.DEFAULTS.withW(2)));
      }
      List<String> homeKeys =
          acks.keySet().stream().filter(k -> home(c, k).contains(down)).toList();
      assertThat(homeKeys).isNotEmpty();
      // A write is acknowledged at W=2; the copy meant for the down node goes to a fallback
      // right after, as a hint: every key it is home for is held for it somewhere.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        for (String key : homeKeys) {
          assertThat(heldSomewhere(c, down, key)).as("hint for %s of %s", down, key).isTrue();
        }
      });

      c.start(victim);
      await().atMost(Duration.ofSeconds(30)).until(() -> hintsFor(c, down) == 0);
      assertHoldsEveryAck(c, down, acks);
      for (Map.Entry<String, Context> e : acks.entrySet()) {
        var got = client.get(b(e.getKey()), ReadOptions.DEFAULTS.withR(2)).values();
        assertThat(got).as(e.getKey()).hasSize(1);
      }
    }
  }

  @Test
  void twoHomeReplicasDownStillTakeWritesThroughFallbacks() {
    try (LocalCluster c = new LocalCluster(dir, 5, FAST)) {
      int a = 1;
      int bIndex = 3;
      String downA = c.id(a);
      String downB = c.id(bIndex);
      // Keys whose home replicas include both nodes that will go down.
      List<String> keys = new ArrayList<>();
      for (int i = 0; keys.size() < 40; i++) {
        if (home(c, "x" + i).containsAll(Set.of(downA, downB))) {
          keys.add("x" + i);
        }
      }
      c.stop(a);
      c.stop(bIndex);
      RingKvClient client = c.clientOf(0);
      Map<String, Context> acks = new LinkedHashMap<>();
      for (String key : keys) {
        acks.put(key, client.put(b(key), b("during-" + key), Context.EMPTY,
            WriteOptions.DEFAULTS.withW(2)));
      }
      assertThat(hintsFor(c, downA) + hintsFor(c, downB)).isPositive();
      // While they are down, a read with R=2 sees the writes through the fallbacks.
      for (String key : keys) {
        assertThat(client.get(b(key), ReadOptions.DEFAULTS.withR(2)).values())
            .extracting(String::new).containsExactly("during-" + key);
      }

      c.start(a);
      c.start(bIndex);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> hintsFor(c, downA) == 0 && hintsFor(c, downB) == 0);
      assertHoldsEveryAck(c, downA, acks);
      assertHoldsEveryAck(c, downB, acks);
      for (String key : keys) {
        for (String node : home(c, key)) {
          assertThat(c.node(node).localReplica().store().get(b(key)).values())
              .as("%s on %s", key, node).extracting(String::new)
              .containsExactly("during-" + key);
        }
      }
    }
  }

  @Test
  void aFallbackRestartedWhileHoldingHintsStillDeliversThem() {
    try (LocalCluster c = new LocalCluster(dir, 5, FAST)) {
      int victim = 4;
      String down = c.id(victim);
      c.stop(victim);
      RingKvClient client = c.clientOf(0);
      Map<String, Context> acks = new LinkedHashMap<>();
      for (int i = 0; i < 200; i++) {
        acks.put("r" + i, client.put(b("r" + i), b("v" + i), Context.EMPTY,
            WriteOptions.DEFAULTS.withW(2)));
      }
      List<String> homeKeys =
          acks.keySet().stream().filter(k -> home(c, k).contains(down)).toList();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        for (String key : homeKeys) {
          assertThat(heldSomewhere(c, down, key)).as("hint for %s of %s", down, key).isTrue();
        }
      });
      // Restart every node holding hints for the victim: the hints are on disk.
      for (int i = 0; i < c.size(); i++) {
        if (i != victim && c.node(i).localReplica().hints().held().containsKey(down)) {
          long before = c.node(i).localReplica().hints().held().get(down).keys();
          c.stop(i);
          c.start(i);
          assertThat(c.node(i).localReplica().hints().held().get(down).keys()).isEqualTo(before);
        }
      }
      c.start(victim);
      await().atMost(Duration.ofSeconds(30)).until(() -> hintsFor(c, down) == 0);
      assertHoldsEveryAck(c, down, acks);
    }
  }
}
