package io.ringkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.client.Context;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingKvClient;
import io.ringkv.client.WriteOptions;
import io.ringkv.server.testing.LoopbackPorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three server processes from the packaged jar with a static member list: load keys, SIGKILL one
 * process, and every key is still readable with R=2 from the other two.
 */
class ThreeNodeClusterIT {

  @TempDir Path tmp;

  @Test
  void everyKeyIsReadableWithR2AfterOneNodeIsKilled() throws Exception {
    int[] ports = {LoopbackPorts.free(), LoopbackPorts.free(), LoopbackPorts.free()};
    String members = java.util.stream.IntStream.range(0, 3)
        .mapToObj(i -> "n" + (i + 1) + "@127.0.0.1:" + ports[i])
        .collect(Collectors.joining(","));
    List<ServerProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(new ServerProcess("n" + (i + 1), ports[i], tmp.resolve("n" + (i + 1)), tmp,
            "--members", members, "--replication.n", "3", "--replication.r", "2",
            "--replication.w", "2"));
      }
      for (ServerProcess n : nodes) {
        n.start();
      }
      ServerProcess.awaitEveryNodeReachesEveryOther(nodes);
      int keys = 3000;
      try (RingKvClient client = RingKvClient.builder().target(nodes.get(0).target())
          .defaultTimeout(Duration.ofSeconds(10)).build()) {
        // Load with W=3 so that every copy exists before the kill; in flight 64 at a time.
        List<CompletableFuture<Context>> batch = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
          batch.add(client.putAsync(("key-" + i).getBytes(StandardCharsets.UTF_8),
              ("value-" + i).getBytes(StandardCharsets.UTF_8), Context.EMPTY,
              WriteOptions.DEFAULTS.withW(3)));
          if (batch.size() == 64) {
            batch.forEach(CompletableFuture::join);
            batch.clear();
          }
        }
        batch.forEach(CompletableFuture::join);
      }

      nodes.get(1).kill();

      for (int via : new int[] {0, 2}) {
        try (RingKvClient client = RingKvClient.builder().target(nodes.get(via).target())
            .routing(false).defaultTimeout(Duration.ofSeconds(10)).build()) {
          for (int i = 0; i < keys; i++) {
            List<String> values = client.get(("key-" + i).getBytes(StandardCharsets.UTF_8),
                    ReadOptions.DEFAULTS.withR(2)).values().stream()
                .map(v -> new String(v, StandardCharsets.UTF_8)).toList();
            assertThat(values).as("key-%d via n%d", i, via + 1).containsExactly("value-" + i);
          }
        }
      }
      // The routing client, whose ring still names the dead node first for a third of the keys.
      try (RingKvClient client = RingKvClient.builder().target(nodes.get(2).target())
          .defaultTimeout(Duration.ofSeconds(10)).build()) {
        for (int i = 0; i < keys; i += 7) {
          assertThat(client.get(("key-" + i).getBytes(StandardCharsets.UTF_8),
              ReadOptions.DEFAULTS.withR(2)).values()).hasSize(1);
        }
      }
    } finally {
      for (ServerProcess n : nodes) {
        n.close();
      }
    }
  }
}
