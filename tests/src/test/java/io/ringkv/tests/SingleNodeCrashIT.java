package io.ringkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cli.RingKvCli;
import io.ringkv.client.Context;
import io.ringkv.client.RingKvClient;
import io.ringkv.server.testing.LoopbackPorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server as a real process: writes through the CLI and the client, SIGKILL, restart,
 * and every acknowledged value is read back.
 */
class SingleNodeCrashIT {

  @TempDir Path tmp;

  private record CliResult(int exit, String out, String err) {}

  private static CliResult cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = RingKvCli.run(
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        args);
    return new CliResult(exit, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
    Path data = tmp.resolve("data");
    int port = LoopbackPorts.free();
    Map<String, String> acked = new LinkedHashMap<>();
    try (ServerProcess node = new ServerProcess("n1", port, data, tmp).start()) {
      // Through the CLI, as a person or a script would.
      for (int i = 0; i < 20; i++) {
        CliResult r = cli("put", "cli-" + i, "value-" + i, "--node", node.target());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("context: ");
        acked.put("cli-" + i, "value-" + i);
      }
      // And a few thousand through the client library.
      try (RingKvClient client = RingKvClient.builder().target(node.target())
          .defaultTimeout(Duration.ofSeconds(10)).build()) {
        for (int i = 0; i < 2000; i++) {
          client.put("lib-" + i, "v" + i, Context.EMPTY);
          acked.put("lib-" + i, "v" + i);
        }
      }
      node.kill();
    }

    try (ServerProcess node = new ServerProcess("n1", port, data, tmp).start();
        RingKvClient client = RingKvClient.builder().target(node.target())
            .defaultTimeout(Duration.ofSeconds(10)).build()) {
      for (Map.Entry<String, String> e : acked.entrySet()) {
        List<String> values = client.get(e.getKey()).values().stream()
            .map(v -> new String(v, StandardCharsets.UTF_8)).toList();
        assertThat(values).as("key %s after SIGKILL", e.getKey()).containsExactly(e.getValue());
      }
      CliResult r = cli("get", "cli-7", "--node", node.target(), "--json");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("\"values\":[\"value-7\"]");
    }
  }

  @Test
  void sigtermShutsDownCleanlyAndKeepsData() throws Exception {
    Path data = tmp.resolve("data");
    int port = LoopbackPorts.free();
    try (ServerProcess node = new ServerProcess("n1", port, data, tmp).start()) {
      assertThat(cli("put", "k", "v", "--node", node.target()).exit()).isZero();
      assertThat(node.terminate()).as(node.logTail()).isIn(0, 143);
      assertThat(node.logTail()).contains("node n1 stopped");
    }
    try (ServerProcess node = new ServerProcess("n1", port, data, tmp).start()) {
      CliResult r = cli("get", "k", "--node", node.target());
      assertThat(r.out()).startsWith("v\n");
    }
  }

  @Test
  void aBadConfigKeyStopsStartupWithOneLineNamingIt() throws Exception {
    Path config = tmp.resolve("bad.yaml");
    Files.writeString(config, "node-id: n1\nreplication:\n  n: 3\n  r: 7\n");
    Process p = new ProcessBuilder(ServerProcess.java(), "-jar",
        ServerProcess.serverJar().toString(), "--config", config.toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isEqualTo(2);
    assertThat(output.strip().lines().count()).as(output).isEqualTo(1);
    assertThat(output).contains("replication.r").contains(config.toString());
  }
}
