package io.ringkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.cli.RingKvCli;
import io.ringkv.config.ConfigLoader;
import io.ringkv.server.testing.LoopbackPorts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ringkv admin} membership commands against real nodes: join (dry run first), status
 * and ring in text and JSON, leave, and the errors of remove.
 */
class AdminCliTest {

  @TempDir Path dir;

  private final List<RingKvNode> nodes = new ArrayList<>();
  private final Map<String, Integer> ports = new HashMap<>();

  private String address(String id) {
    return "127.0.0.1:" + ports.computeIfAbsent(id, x -> LoopbackPorts.free());
  }

  private RingKvNode start(String id, String members) {
    Map<String, String> o = new HashMap<>();
    o.put("node-id", id);
    o.put("host", "127.0.0.1");
    o.put("port", address(id).substring("127.0.0.1:".length()));
    o.put("data-dir", dir.resolve(id).toString());
    o.put("seeds", address("a"));
    if (members != null) {
      o.put("members", members);
    }
    o.put("partitions", "16");
    o.put("membership.gossip-interval-ms", "100");
    o.put("membership.transfer-retry-ms", "100");
    o.put("membership.forward-grace-ms", "0");
    RingKvNode n = RingKvNode.start(ConfigLoader.load(null, o));
    nodes.add(n);
    return n;
  }

  @AfterEach
  void close() {
    nodes.forEach(RingKvNode::close);
  }

  private record Run(int exit, String out, String err) {}

  private static Run cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = RingKvCli.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    return new Run(exit, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void joinStatusRingLeaveAndRemoveThroughTheCli() {
    String members = "a@" + address("a") + ",b@" + address("b");
    RingKvNode a = start("a", members);
    start("b", members);
    RingKvNode c = start("c", null);

    Run dry = cli("--node", address("c"), "admin", "join", "--seed", address("a"), "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.out()).startsWith("dry run, nothing changed: c joins through " + address("a"))
        .contains("partition handovers would run:").contains("-> c");
    assertThat(a.gossiper().state().members()).doesNotContainKey("c");

    Run join = cli("--node", address("c"), "admin", "join", "--seed", address("a"), "--json");
    assertThat(join.exit()).as(join.err()).isZero();
    assertThat(join.out()).contains("\"dry_run\":false").contains("\"to\":\"c\"");
    // Every node, b included (its status is asked next), has the committed ring with c.
    Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> nodes.stream().allMatch(n -> n.gossiper().state().settled()
            && n.ring().nodes().contains("c")));

    Run status = cli("--node", address("b"), "admin", "status", "--json");
    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.out()).contains("\"cluster\":\"ringkv\"").contains("\"settled\":true")
        .contains("\"id\":\"c\",\"address\":\"" + address("c") + "\",\"state\":\"normal\"")
        .contains("\"ring_version\":" + a.ring().version());
    assertThat(status.out()).contains("\"anti_entropy\":{\"enabled\":true");
    Run text = cli("--node", address("b"), "admin", "status", "--partitions");
    assertThat(text.out()).contains("settled").contains("normal")
        .contains("anti-entropy: ").contains("home partitions").contains("last exchange");

    Run ring = cli("--node", address("a"), "admin", "ring", "--key", "hello");
    assertThat(ring.exit()).as(ring.err()).isZero();
    assertThat(ring.out()).contains("key 'hello': partition").contains("home replicas: ");
    Run ringJson = cli("--node", address("a"), "admin", "ring", "--json");
    assertThat(ringJson.out()).contains("\"partitions\":16").contains("\"owners\":[");

    Run noSeed = cli("--node", "c", "admin", "remove");
    assertThat(noSeed.exit()).isEqualTo(2);
    assertThat(noSeed.err()).contains("remove needs --seed");
    Run unknown = cli("--node", "zz", "admin", "remove", "--seed", address("a"));
    assertThat(unknown.exit()).isEqualTo(3);
    assertThat(unknown.err()).contains("INVALID_ARGUMENT").contains("no member 'zz'");

    Run leaveDry = cli("--node", address("c"), "admin", "leave", "--dry-run", "--json");
    assertThat(leaveDry.out()).contains("\"dry_run\":true").contains("\"description\":\"c leaves\"");
    assertThat(c.gossiper().state().member("c").state().label()).isEqualTo("normal");
    Run leave = cli("--node", address("c"), "admin", "leave");
    assertThat(leave.exit()).as(leave.err()).isZero();
    Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> a.gossiper().state().settled() && !a.ring().nodes().contains("c"));
    assertThat(cli("--node", address("a"), "admin", "status").out()).contains("removed");

    // A member of a cluster cannot join another one.
    Run member = cli("--node", address("a"), "admin", "join", "--seed", address("c"));
    assertThat(member.exit()).isEqualTo(3);
    assertThat(member.err()).contains("FAILED_PRECONDITION").contains("already a member");
    // A node that left, once it has dropped its data, can join again.
    Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Run again = cli("--node", address("c"), "admin", "join", "--seed", address("b"));
      assertThat(again.exit()).as(again.err()).isZero();
    });
    Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> a.gossiper().state().settled() && a.ring().nodes().contains("c"));
  }
}
