package io.ringkv.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ringkv.client.Context;
import io.ringkv.client.RingKvClient;
import io.ringkv.server.testing.LoopbackPorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/cluster.sh} as an operator uses it: a three-node cluster formed through the
 * admin join path, values written and read with {@code scripts/ringkv}, a node killed with
 * SIGKILL and restarted, one paused and resumed, a node added and one decommissioned, status, and
 * stop. Every acknowledged write stays readable through all of it.
 */
class ClusterScriptIT {

  private static final Pattern READY =
      Pattern.compile("cluster of (\\d+) nodes ready \\(ring version (\\d+)\\)$");

  @TempDir Path tmp;

  private Path dir;
  private int base;

  @AfterEach
  void stopEverything() throws Exception {
    if (dir != null) {
      run(List.of("stop")); // whatever happened, no node outlives the test
    }
  }

  @Test
  void startKillRestartPauseAddLeaveStop() throws Exception {
    dir = tmp.resolve("cluster");
    base = LoopbackPorts.freeRange(6);

    // start 3: formed by joins, settled, one ring version everywhere.
    Result start = run(List.of("start", "3"));
    long v3 = ready(start, 3);
    assertThat(addresses()).containsExactly(addr(1), addr(2), addr(3));
    for (int i = 1; i <= 3; i++) {
      assertThat(dir.resolve("node" + i + "/server.log")).exists();
      assertThat(dir.resolve("node" + i + "/pid")).exists();
    }

    // put and get through the CLI, on different nodes.
    assertThat(cli(addr(1), "put", "greeting", "hello").exit()).isZero();
    Result got = cli(addr(3), "get", "greeting");
    assertThat(got.exit()).isZero();
    assertThat(got.out()).startsWith("hello\n");
    Map<String, String> written = new LinkedHashMap<>();
    written.put("greeting", "hello");
    written.putAll(writeMany(addr(2), "a", 60));

    // kill 2 (SIGKILL): the other two serve reads and writes (R=W=2); restart 2 and read from it.
    assertThat(run(List.of("kill", "2")).out()).contains("node2 killed");
    assertThat(run(List.of("status")).out()).containsPattern("node2 +127\\.0\\.0\\.1:" + (base + 1)
        + " +down");
    written.putAll(writeMany(addr(1), "b", 20));
    assertThat(run(List.of("restart", "2")).out()).contains("node2 restarted");
    assertThat(cli(addr(2), "get", "greeting").out()).startsWith("hello\n");

    // pause 3 (SIGSTOP): still writable through the others; resume it.
    assertThat(run(List.of("pause", "3")).out()).contains("node3 paused");
    assertThat(run(List.of("status")).out()).contains("paused");
    // Until node1's failure detector suspects the paused node, a put forwarded to it times out
    // (and is not retried elsewhere: it may have run); so try a few times, as a client would.
    int exit = -1;
    for (int attempt = 0; attempt < 5 && exit != 0; attempt++) {
      exit = cli(addr(1), "--timeout", "10s", "put", "while-paused", "yes").exit();
    }
    assertThat(exit).isZero();
    written.put("while-paused", "yes");
    assertThat(run(List.of("resume", "3")).out()).contains("node3 resumed");

    // add: node4 joins, the ring moves on and settles.
    Result add = run(List.of("add"));
    assertThat(add.lastLine()).startsWith("node4 added: ");
    long v4 = ready(add, 4);
    assertThat(v4).isGreaterThan(v3);
    assertThat(addresses()).containsExactly(addr(1), addr(2), addr(3), addr(4));

    // leave 2: it hands its data off and stops; three members remain.
    Result leave = run(List.of("leave", "2"));
    assertThat(leave.lastLine()).startsWith("node2 left: ");
    assertThat(ready(leave, 3)).isGreaterThan(v4);
    assertThat(addresses()).containsExactly(addr(1), addr(3), addr(4));

    Result status = run(List.of("status"));
    assertThat(status.out())
        .containsPattern("node1 +127\\.0\\.0\\.1:" + base + " +running")
        .containsPattern("node2 +127\\.0\\.0\\.1:" + (base + 1) + " +left the cluster")
        .contains("settled");

    // Every acknowledged write is readable with R=2 from the members left.
    assertThat(cli(addr(4), "get", "greeting").out()).startsWith("hello\n");
    try (RingKvClient client = RingKvClient.builder().target(addr(3))
        .defaultTimeout(Duration.ofSeconds(10)).build()) {
      for (Map.Entry<String, String> e : written.entrySet()) {
        assertThat(client.get(e.getKey()).stringValues()).as(e.getKey()).contains(e.getValue());
      }
    }

    // stop: every process gone.
    List<Long> pids = new ArrayList<>();
    for (int i : new int[] {1, 3, 4}) {
      pids.add(Long.parseLong(Files.readString(dir.resolve("node" + i + "/pid")).trim()));
    }
    assertThat(run(List.of("stop")).out()).contains("stopped 3 node(s)");
    for (long pid : pids) {
      // stop returns once the process has exited; its parent (init) reaps it a moment later.
      await("pid " + pid + " reaped").atMost(Duration.ofSeconds(10))
          .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }
  }

  // ---------------------------------------------------------------------------------------------

  private record Result(int exit, String out, String err) {
    String lastLine() {
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  /** The ring version of a "cluster of K nodes ready (ring version V)" line, checking K. */
  private static long ready(Result r, int nodes) {
    assertThat(r.exit()).as("exit status; stderr:%n%s", r.err()).isZero();
    Matcher m = READY.matcher(r.lastLine());
    assertThat(m.find()).as("last line: %s", r.lastLine()).isTrue();
    assertThat(Integer.parseInt(m.group(1))).isEqualTo(nodes);
    return Long.parseLong(m.group(2));
  }

  private List<String> addresses() throws Exception {
    Result r = run(List.of("addresses"));
    assertThat(r.exit()).isZero();
    return List.of(r.out().strip().split("\n"));
  }

  private String addr(int node) {
    return "127.0.0.1:" + (base + node - 1);
  }

  /** Writes {@code count} keys with the Java client through {@code target}; returns them. */
  private static Map<String, String> writeMany(String target, String prefix, int count) {
    Map<String, String> out = new LinkedHashMap<>();
    try (RingKvClient client = RingKvClient.builder().target(target)
        .defaultTimeout(Duration.ofSeconds(10)).build()) {
      for (int i = 0; i < count; i++) {
        String key = prefix + "-" + i;
        String value = prefix + "-value-" + i;
        Context c = client.put(key, value, Context.EMPTY);
        assertThat(c).isNotNull();
        out.put(key, value);
      }
    }
    return out;
  }

  private Result run(List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ServerProcess.repo().resolve("scripts/cluster.sh").toString());
    cmd.addAll(args);
    return exec(cmd, 300);
  }

  private Result cli(String node, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ServerProcess.repo().resolve("scripts/ringkv").toString());
    cmd.add("--node");
    cmd.add(node);
    cmd.addAll(List.of(args));
    return exec(cmd, 60);
  }

  private Result exec(List<String> cmd, int timeoutSeconds) throws Exception {
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    pb.environment().put("RINGKV_CLUSTER_DIR", dir.toString());
    pb.environment().put("RINGKV_BASE_PORT", Integer.toString(base));
    pb.environment().put("RINGKV_NO_BUILD", "1"); // the build under test made the jars
    pb.environment().put("JAVA", ServerProcess.java());
    long started = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(cmd + " did not finish within " + timeoutSeconds + " s; stderr: "
          + Files.readString(err));
    }
    Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    System.out.printf("$ %s -> %d (%.1f s)%n%s%s", String.join(" ", cmd), r.exit(),
        (System.nanoTime() - started) / 1e9, r.out(), r.err());
    return r;
  }
}
