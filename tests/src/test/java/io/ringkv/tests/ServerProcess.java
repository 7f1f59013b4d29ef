package io.ringkv.tests;

import static org.awaitility.Awaitility.await;

import io.ringkv.client.RingKvAdmin;
import io.ringkv.client.RingKvClient;
import io.ringkv.client.RingKvException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A ringkv server run from the packaged jar as a separate process, as an operator runs it. */
final class ServerProcess implements AutoCloseable {

  static Path repo() {
    return Path.of(System.getProperty("ringkv.repo", "..")).toAbsolutePath().normalize();
  }

  static Path serverJar() {
    Path jar = repo().resolve("server/target/ringkv-server.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run ./mvnw -B -DskipTests package");
    }
    return jar;
  }

  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private final String nodeId;
  private final int port;
  private final List<String> args;
  private final Path log;
  private Process process;

  ServerProcess(String nodeId, int port, Path dataDir, Path logDir, String... extraArgs) {
    this.nodeId = nodeId;
    this.port = port;
    this.log = logDir.resolve(nodeId + ".log");
    List<String> a = new ArrayList<>(List.of(
        "--node-id", nodeId, "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--data-dir", dataDir.toString()));
    a.addAll(List.of(extraArgs));
    this.args = a;
  }

  String target() {
    return "127.0.0.1:" + port;
  }

  /** Starts the process and waits until it answers requests. */
  ServerProcess start() throws IOException {
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m", "-jar", serverJar().toString()));
    cmd.addAll(args);
    process = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    try (RingKvClient probe = RingKvClient.builder().target(target()).routing(false)
        .defaultTimeout(Duration.ofSeconds(1)).build()) {
      await("node " + nodeId + " answering on " + target())
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            if (!process.isAlive()) {
              throw new IllegalStateException("node " + nodeId + " exited: " + logTail());
            }
            try {
              probe.get("__probe__");
              return true;
            } catch (RingKvException e) {
              // Any answer from the node counts (a quorum it cannot reach yet, too); only a
              // refused connection means it is not listening yet.
              return !refused(e);
            }
          });
    }
    return this;
  }

  /**
   * Waits until every node's failure detector has seen every node up, and keeps seeing it for
   * 1.5 s. A node probes its peers from its first second, so a peer started after it was marked
   * down by refused connections and stays so until the next probe answers; a load with w=N started
   * before that is refused as UNAVAILABLE.
   */
  static void awaitEveryNodeReachesEveryOther(List<ServerProcess> nodes) {
    await("every node reaches every node").atMost(Duration.ofMinutes(1))
        .during(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> nodes.stream().allMatch(p -> {
          try (RingKvAdmin admin = RingKvAdmin.connect(p.target(), Duration.ofSeconds(5))) {
            return admin.status().nodes().stream().allMatch(n -> n.reachable());
          }
        }));
  }

  private static boolean refused(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.net.ConnectException) {
        return true;
      }
    }
    return false;
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM: the clean shutdown path. Returns the exit code. */
  int terminate() throws InterruptedException {
    process.destroy();
    return process.waitFor();
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (isAlive()) {
      kill();
    }
  }
}
