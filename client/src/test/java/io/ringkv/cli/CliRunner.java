package io.ringkv.cli;

import io.ringkv.client.InProcessKv;
import io.ringkv.client.RingKvClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs the CLI in-process against an {@link InProcessKv}, capturing what it prints. */
final class CliRunner {

  /** What one run did. */
  record Result(int exitCode, byte[] stdoutBytes, String stderr) {
    String stdout() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }
  }

  /** The {@code --node} and {@code --timeout} a run connected with. */
  record Connection(String node, Duration timeout) {}

  private final InProcessKv kv;
  private final List<Connection> connections = new ArrayList<>();
  private byte[] stdin = new byte[0];

  CliRunner(InProcessKv kv) {
    this.kv = kv;
  }

  CliRunner stdin(byte[] bytes) {
    this.stdin = bytes.clone();
    return this;
  }

  List<Connection> connections() {
    return List.copyOf(connections);
  }

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ClientFactory clients = (node, timeout) -> {
      connections.add(new Connection(node, timeout));
      RingKvClient.Builder builder = RingKvClient.builder().channel(kv.channel());
      if (timeout != null) {
        builder.defaultTimeout(timeout);
      }
      return builder.build();
    };
    int exitCode;
    try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exitCode = RingKvCli.run(
          clients, new ByteArrayInputStream(stdin), outStream, errStream, args);
    }
    return new Result(exitCode, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }
}
