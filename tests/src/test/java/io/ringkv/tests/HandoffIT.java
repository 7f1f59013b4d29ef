package io.ringkv.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ringkv.cli.RingKvCli;
import io.ringkv.client.Context;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingKvAdmin;
import io.ringkv.client.RingKvClient;
import io.ringkv.client.WriteOptions;
import io.ringkv.server.testing.LoopbackPorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five server processes, N=3, W=2: a home replica killed with SIGKILL while writes go on, then a
 * fallback killed with SIGKILL while it holds hints. Every acknowledged write stays readable and
 * every hint reaches its node.
 */
class HandoffIT {

  @TempDir Path tmp;

  private static long hintsHeld(List<ServerProcess> nodes, int skip) {
    long total = 0;
    for (int i = 0; i < nodes.size(); i++) {
      if (i != skip) {
        try (RingKvAdmin admin = RingKvAdmin.connect(nodes.get(i).target(), Duration.ofSeconds(5))) {
          total += admin.hints().totalKeys();
        }
      }
    }
    return total;
  }

  private static int holderOf(List<ServerProcess> nodes, String forNode, int skip) {
    for (int i = 0; i < nodes.size(); i++) {
      if (i != skip) {
        try (RingKvAdmin admin = RingKvAdmin.connect(nodes.get(i).target(), Duration.ofSeconds(5))) {
          if (admin.hints().held().stream().anyMatch(h -> h.node().equals(forNode))) {
            return i;
          }
        }
      }
    }
    return -1;
  }

  @Test
  void hintsSurviveSigkillOfTheirHolderAndReachTheirNode() throws Exception {
    int size = 5;
    int[] ports = new int[size];
    for (int i = 0; i < size; i++) {
      ports[i] = LoopbackPorts.free();
    }
    String members = java.util.stream.IntStream.range(0, size)
        .mapToObj(i -> "n" + (i + 1) + "@127.0.0.1:" + ports[i])
        .collect(Collectors.joining(","));
    List<ServerProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        nodes.add(new ServerProcess("n" + (i + 1), ports[i], tmp.resolve("n" + (i + 1)), tmp,
            "--members", members, "--partitions", "64",
            "--failure-detector.probe-interval-ms", "200", "--handoff.interval-ms", "200"));
      }
      for (ServerProcess n : nodes) {
        n.start();
      }
      int victim = 2; // n3
      nodes.get(victim).kill();

      Map<String, Context> acks = new LinkedHashMap<>();
      try (RingKvClient client = RingKvClient.builder().target(nodes.get(0).target())
          .routing(false).defaultTimeout(Duration.ofSeconds(10)).build()) {
        for (int i = 0; i < 300; i++) {
          String key = "key-" + i;
          acks.put(key, client.put(key.getBytes(StandardCharsets.UTF_8),
              ("v" + i).getBytes(StandardCharsets.UTF_8), Context.EMPTY,
              WriteOptions.DEFAULTS.withW(2)));
        }
      }
      // Some fallback holds hints for n3; the CLI shows them.
      await().atMost(Duration.ofSeconds(20)).until(() -> holderOf(nodes, "n3", victim) >= 0);
      int holder = holderOf(nodes, "n3", victim);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int exit = RingKvCli.run(new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
          "admin", "hints", "--node", nodes.get(holder).target(), "--json");
      assertThat(exit).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"node\":\"n3\"");
      long heldBefore = hintsHeld(nodes, victim);
      assertThat(heldBefore).isPositive();

      // The fallback dies the hard way with the hints, and comes back: they are on its disk.
      nodes.get(holder).kill();
      nodes.get(holder).start();
      assertThat(hintsHeld(nodes, victim)).isEqualTo(heldBefore);

      nodes.get(victim).start();
      await("hints handed off").atMost(Duration.ofSeconds(60))
          .until(() -> hintsHeld(nodes, -1) == 0);

      // Every acknowledged write is readable with R=2.
      try (RingKvClient client = RingKvClient.builder().target(nodes.get(victim).target())
          .routing(false).defaultTimeout(Duration.ofSeconds(10)).build()) {
        for (Map.Entry<String, Context> e : acks.entrySet()) {
          List<String> values = client.get(e.getKey().getBytes(StandardCharsets.UTF_8),
                  ReadOptions.DEFAULTS.withR(2)).values().stream()
              .map(v -> new String(v, StandardCharsets.UTF_8)).toList();
          assertThat(values).as(e.getKey()).hasSize(1);
        }
      }
    } finally {
      for (ServerProcess n : nodes) {
        n.close();
      }
    }
  }
}
