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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three server processes, N=3, hinted handoff held off: a home replica misses 1,500 writes; a
 * repair on it pulls them from a peer that is killed with SIGKILL midway. Nothing is lost or
 * half-written, and the next repair completes the work: afterwards every exchange of every node
 * finds nothing to repair.
 */
class AntiEntropyIT {

  @TempDir Path tmp;

  private static RingKvAdmin admin(ServerProcess node) {
    return RingKvAdmin.connect(node.target(), Duration.ofMinutes(2));
  }

  @Test
  void repairSurvivesItsPeerBeingKilledAndTheNextOneCompletes() throws Exception {
    int size = 3;
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
            "--failure-detector.probe-interval-ms", "200",
            "--handoff.interval-ms", "86400000",
            "--anti-entropy.interval-ms", "3600000",
            "--anti-entropy.max-keys-per-second", "300"));
      }
      for (ServerProcess n : nodes) {
        n.start();
      }
      nodes.get(2).kill(); // n3 misses every write below

      Map<String, Context> acks = new LinkedHashMap<>();
      try (RingKvClient client = RingKvClient.builder().target(nodes.get(0).target())
          .routing(false).defaultTimeout(Duration.ofSeconds(10)).build()) {
        for (int i = 0; i < 1_500; i++) {
          String key = "key-" + i;
          await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).ignoreExceptions()
              .until(() -> {
                acks.put(key, client.put(key.getBytes(StandardCharsets.UTF_8),
                    ("v" + key).getBytes(StandardCharsets.UTF_8), Context.EMPTY,
                    WriteOptions.DEFAULTS.withW(2)));
                return true;
              });
        }
      }
      nodes.get(2).start();
      await("n3's trees built").atMost(Duration.ofSeconds(60)).until(() -> {
        try (RingKvAdmin a = admin(nodes.get(2))) {
          var s = a.antiEntropy();
          return s.partitions().size() == 64 && s.partitions().stream().allMatch(p -> p.treeReady());
        }
      });

      // n3 pulls the writes from n1, 300 keys a second; n1 is killed with SIGKILL part way.
      CompletableFuture<RingKvAdmin.RepairReport> first = CompletableFuture.supplyAsync(() -> {
        try (RingKvAdmin a = admin(nodes.get(2))) {
          return a.repair(null, "n1");
        }
      });
      await("some keys repaired").atMost(Duration.ofSeconds(60)).until(() -> {
        try (RingKvAdmin a = admin(nodes.get(2))) {
          return a.antiEntropy().keysRepaired() >= 300;
        }
      });
      nodes.get(0).kill();
      RingKvAdmin.RepairReport report = first.get(2, TimeUnit.MINUTES);
      long repairedFirst = report.keysRepaired();
      assertThat(report.exchanges()).as("%s", report)
          .anyMatch(e -> !e.outcome().equals("completed"));
      assertThat(repairedFirst).isBetween(300L, 1_499L);

      nodes.get(0).start(); // its data is on disk
      await("n1's trees built").atMost(Duration.ofSeconds(60)).until(() -> {
        try (RingKvAdmin a = admin(nodes.get(0))) {
          var s = a.antiEntropy();
          return s.partitions().size() == 64
              && s.partitions().stream().allMatch(p -> p.treeReady());
        }
      });
      // Until n3's failure detector has seen n1 back, a repair there would skip n1.
      ServerProcess.awaitEveryNodeReachesEveryOther(nodes);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int exit = RingKvCli.run(new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
          "admin", "repair", "--node", nodes.get(2).target(), "--peer", "n1", "--json",
          "--timeout", "2m");
      assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
      // n3 now holds everything; n2 had it all along. Every node's exchanges find nothing left.
      for (ServerProcess n : nodes) {
        try (RingKvAdmin a = admin(n)) {
          RingKvAdmin.RepairReport r = a.repair(null, null);
          assertThat(r.exchanges()).as("%s", r)
              .allMatch(e -> e.outcome().equals("completed") && e.keysDiffering() == 0);
        }
      }
      try (RingKvAdmin a = admin(nodes.get(2))) {
        assertThat(a.antiEntropy().keysRepaired()).isEqualTo(1_500);
      }
      // And every acknowledged write is there, once, on n3 as everywhere (R=3).
      try (RingKvClient client = RingKvClient.builder().target(nodes.get(2).target())
          .routing(false).defaultTimeout(Duration.ofSeconds(10)).build()) {
        for (String key : acks.keySet()) {
          assertThat(client.get(key.getBytes(StandardCharsets.UTF_8),
                  ReadOptions.DEFAULTS.withR(3)).stringValues())
              .as(key).containsExactly("v" + key);
        }
      }
    } finally {
      for (ServerProcess n : nodes) {
        n.close();
      }
    }
  }
}
