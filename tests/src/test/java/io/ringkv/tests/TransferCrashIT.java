package io.ringkv.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ringkv.client.Context;
import io.ringkv.client.RingKvAdmin;
import io.ringkv.client.RingKvClient;
import io.ringkv.client.WriteOptions;
import io.ringkv.server.testing.LoopbackPorts;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.storage.rocksdb.RocksDbStorageEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data transfer survives SIGKILL: a joining node killed while it receives its partitions, and a
 * sending node killed while it streams them, are restarted; the transfer resumes where it stopped
 * (the receiver says so in its log) and completes; a node SIGKILLed for good is removed and its
 * partitions rebuilt from the other replicas; afterwards each node's RocksDB holds every key it
 * is a home replica of.
 */
class TransferCrashIT {

  private static final int KEYS = 3000;

  @TempDir Path tmp;

  private final Map<String, ServerProcess> nodes = new LinkedHashMap<>();
  private final Map<String, Integer> ports = new LinkedHashMap<>();

  private ServerProcess node(String id, String... extra) {
    int port = ports.computeIfAbsent(id, x -> LoopbackPorts.free());
    List<String> args = new ArrayList<>(List.of("--partitions", "32", "--seeds",
        "127.0.0.1:" + ports.get("n1"), "--cluster-name", "crash-test",
        "--failure-detector.probe-interval-ms", "200",
        "--membership.gossip-interval-ms", "200", "--membership.transfer-retry-ms", "300",
        "--membership.transfer-parallel", "1", "--membership.transfer-batch-bytes", "1024",
        "--membership.forward-grace-ms", "2000"));
    args.addAll(List.of(extra));
    ServerProcess p = new ServerProcess(id, port, tmp.resolve(id), tmp, args.toArray(String[]::new));
    nodes.put(id, p);
    return p;
  }

  private static String value(int i) {
    char[] pad = new char[1000];
    Arrays.fill(pad, (char) ('a' + i % 26));
    return i + ":" + new String(pad);
  }

  private RingKvAdmin.Status status(String id) {
    try (RingKvAdmin admin = RingKvAdmin.connect(nodes.get(id).target(), Duration.ofSeconds(5))) {
      return admin.status();
    }
  }

  private void awaitSettled(int members) {
    await("every node settled on one ring of " + members + " members")
        .atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(300))
        .ignoreExceptions()
        .until(() -> {
          long version = -1;
          for (String id : nodes.keySet()) {
            RingKvAdmin.Status s = status(id);
            long normal = s.nodes().stream().filter(n -> n.state().equals("normal")).count();
            if (!s.settled() || normal != members || (version >= 0 && version != s.ringVersion())) {
              return false;
            }
            version = s.ringVersion();
          }
          return true;
        });
  }

  /** Waits until some but not all handovers of the pending change are done, then kills. */
  private void killMidTransfer(String victim) throws Exception {
    await("a ring change half done").atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(50)).ignoreExceptions()
        .until(() -> {
          RingKvAdmin.Status s = status("n1");
          return !s.settled() && s.handoversDone() >= 1
              && s.handoversDone() < s.handoversTotal() - 1;
        });
    nodes.get(victim).kill();
  }

  /**
   * Waits until the node's log says it stored the first batch of a partition it has not finished
   * receiving (so its position is saved), then kills it.
   */
  private void killWhileReceiving(String victim) throws Exception {
    java.util.regex.Pattern started =
        java.util.regex.Pattern.compile("receiving partition (\\d+) from");
    await("a partition half received by " + victim).atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> {
          String log = Files.readString(tmp.resolve(victim + ".log"));
          java.util.regex.Matcher m = started.matcher(log);
          while (m.find()) {
            if (!log.contains("received partition " + m.group(1) + " from")) {
              return true;
            }
          }
          return false;
        });
    nodes.get(victim).kill();
  }

  @Test
  void receiverAndSenderKilledMidTransferResumeAndComplete() throws Exception {
    for (String id : List.of("n1", "n2", "n3")) {
      ports.computeIfAbsent(id, x -> LoopbackPorts.free());
    }
    String members = List.of("n1", "n2", "n3").stream()
        .map(id -> id + "@127.0.0.1:" + ports.get(id)).collect(Collectors.joining(","));
    try {
      for (String id : List.of("n1", "n2", "n3")) {
        node(id, "--members", members).start();
      }
      // The load writes with w=3: wait until every node has seen every other up.
      ServerProcess.awaitEveryNodeReachesEveryOther(List.copyOf(nodes.values()));
      try (RingKvClient client = RingKvClient.builder().target(nodes.get("n1").target())
          .defaultTimeout(Duration.ofSeconds(20)).build()) {
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<?>> puts = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
          inFlight.acquire();
          puts.add(client.putAsync(("k" + i).getBytes(StandardCharsets.UTF_8),
              value(i).getBytes(StandardCharsets.UTF_8), Context.EMPTY,
              new WriteOptions(3, null)).whenComplete((c, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
      }

      // The receiver dies mid-transfer.
      node("n4").start();
      try (RingKvAdmin admin = RingKvAdmin.connect(nodes.get("n4").target(),
          Duration.ofSeconds(10))) {
        admin.join(nodes.get("n1").target(), false);
      }
      killWhileReceiving("n4");
      nodes.get("n4").start();
      awaitSettled(4);
      assertThat(Files.readString(tmp.resolve("n4.log")))
          .as("the restarted receiver resumed a partition where it stopped")
          .contains("resuming partition");

      // A sender dies mid-transfer: n1 is a home replica of most partitions n5 takes.
      node("n5").start();
      try (RingKvAdmin admin = RingKvAdmin.connect(nodes.get("n5").target(),
          Duration.ofSeconds(10))) {
        admin.join(nodes.get("n2").target(), false);
      }
      killMidTransfer("n1");
      nodes.get("n1").start();
      awaitSettled(5);

      // A node killed with SIGKILL for good is removed through another member: its partitions
      // are rebuilt on their new home replicas from the others.
      nodes.get("n3").kill();
      nodes.remove("n3");
      try (RingKvAdmin admin = RingKvAdmin.connect(nodes.get("n2").target(),
          Duration.ofSeconds(10))) {
        RingKvAdmin.Change removal = admin.remove("n3", false);
        assertThat(removal.moves()).isNotEmpty()
            .allSatisfy(m -> assertThat(m.to()).isNotEqualTo("n3"));
      }
      awaitSettled(4);

      RingKvAdmin.RingView ring;
      try (RingKvAdmin admin = RingKvAdmin.connect(nodes.get("n2").target(),
          Duration.ofSeconds(5))) {
        ring = admin.ring();
      }
      for (ServerProcess p : nodes.values()) {
        assertThat(p.terminate()).as(p.logTail()).isIn(0, 143);
      }
      assertEveryKeyOnItsHomeReplicas(ring);
    } finally {
      for (ServerProcess p : nodes.values()) {
        p.close();
      }
    }
  }

  /** Opens each stopped node's RocksDB and checks it holds every key it is home replica of. */
  private void assertEveryKeyOnItsHomeReplicas(RingKvAdmin.RingView ring) {
    int n = Math.min(ring.replicas(), ring.nodes().size());
    List<String> missing = new ArrayList<>();
    for (String id : nodes.keySet()) {
      try (StorageEngine engine = RocksDbStorageEngine.open(tmp.resolve(id))) {
        VersionedStore store = new VersionedStore(engine, StorageEngine.Durability.BUFFERED);
        int held = 0;
        for (int i = 0; i < KEYS; i++) {
          byte[] key = ("k" + i).getBytes(StandardCharsets.UTF_8);
          List<String> homes = ring.preferenceList(ring.partitionOf(key)).subList(0, n);
          if (homes.contains(id)) {
            List<String> values = store.get(key).values().stream()
                .map(v -> new String(v, StandardCharsets.UTF_8)).toList();
            if (!values.equals(List.of(value(i)))) {
              missing.add("k" + i + " on " + id);
            } else {
              held++;
            }
          }
        }
        System.out.println("TransferCrashIT: " + id + " holds " + held + " keys as a home replica");
      }
    }
    assertThat(missing).as("keys missing on a home replica").isEmpty();
  }
}
