package io.ringkv.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.config.NodeConfig.Engine;
import io.ringkv.config.NodeConfig.Limits;
import io.ringkv.config.NodeConfig.Replication;
import io.ringkv.config.NodeConfig.Storage;
import io.ringkv.config.NodeConfig.Timeouts;
import io.ringkv.config.NodeConfig.Versions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("ringkv.yaml"), yaml);
  }

  @Test
  void defaultsAreTheDocumentedValues() {
    NodeConfig config = ConfigLoader.load(null, Map.of());

    assertThat(config).isEqualTo(new NodeConfig(
        "ringkv", "node1", "127.0.0.1", 7070, Path.of("./data/node1"), List.of(), List.of(), 256,
        new Replication(3, 2, 2),
        new Limits(2048, 1048576, 100),
        new Versions(10),
        new Storage(Engine.ROCKSDB, false, 64),
        new NodeConfig.Threads(0, 0),
        new Timeouts(5000, 2000, 100),
        new NodeConfig.FailureDetector(500, 8, 3),
        new NodeConfig.Handoff(1000, 64, 5000, 1024, 86_400_000L),
        new NodeConfig.Membership(1000, 1048576, 2, 2000, 30000),
        new NodeConfig.Metrics(0),
        new NodeConfig.AntiEntropy(true, 10_000, 1000, 1024, 604_800_000L, 172_800_000L,
            10_000)));
    assertThat(config.clusterMembers()).containsExactly(new Member("node1", "127.0.0.1", 7070));
  }

  @Test
  void keysListEveryDottedKeyInFileOrder() {
    assertThat(ConfigLoader.keys()).containsExactly(
        "cluster-name", "node-id", "host", "port", "data-dir", "seeds", "members", "partitions",
        "replication.n", "replication.r", "replication.w",
        "limits.max-key-bytes", "limits.max-value-bytes", "limits.max-siblings",
        "versions.max-clock-entries",
        "storage.engine", "storage.sync-writes", "storage.object-cache-mib", "threads.network", "threads.storage",
        "timeouts.request-ms", "timeouts.replica-ms", "timeouts.read-repair-wait-ms",
        "failure-detector.probe-interval-ms", "failure-detector.phi-threshold",
        "failure-detector.failures-to-suspect",
        "handoff.interval-ms", "handoff.batch-size", "handoff.max-keys-per-second",
        "handoff.max-hint-mib", "handoff.max-hint-age-ms",
        "membership.gossip-interval-ms", "membership.transfer-batch-bytes",
        "membership.transfer-parallel", "membership.transfer-retry-ms",
        "membership.forward-grace-ms", "metrics.port",
        "anti-entropy.enabled", "anti-entropy.interval-ms", "anti-entropy.max-keys-per-second",
        "anti-entropy.tree-leaves", "anti-entropy.rebuild-interval-ms",
        "anti-entropy.tombstone-grace-ms", "anti-entropy.rpc-timeout-ms");
  }

  @Test
  void defaultYamlIsTheEmbeddedFileWithItsComments() {
    assertThat(ConfigLoader.defaultYaml())
        .contains("cluster-name: ringkv")
        .contains("  read-repair-wait-ms: 100")
        .contains("# rocksdb | memory");
  }

  @Test
  void fileOverridesSomeKeysAndLeavesTheRestDefault() throws IOException {
    Path file = write("""
        node-id: node2
        port: 7072
        replication:
          n: 5
        storage:
          engine: memory
        """);

    NodeConfig config = ConfigLoader.load(file, Map.of());

    NodeConfig defaults = ConfigLoader.load(null, Map.of());
    assertThat(config.nodeId()).isEqualTo("node2");
    assertThat(config.port()).isEqualTo(7072);
    assertThat(config.replication()).isEqualTo(new Replication(5, 2, 2));
    assertThat(config.storage()).isEqualTo(new Storage(Engine.MEMORY, false, 64));
    assertThat(config.clusterName()).isEqualTo(defaults.clusterName());
    assertThat(config.limits()).isEqualTo(defaults.limits());
    assertThat(config.timeouts()).isEqualTo(defaults.timeouts());
  }

  @Test
  void emptyFileMeansAllDefaults() throws IOException {
    assertThat(ConfigLoader.load(write("# nothing set\n"), Map.of()))
        .isEqualTo(ConfigLoader.load(null, Map.of()));
  }

  @Test
  void overridesBeatFileValues() throws IOException {
    Path file = write("""
        node-id: node2
        port: 7072
        replication: {n: 5, r: 3}
        storage: {sync-writes: false}
        """);

    NodeConfig config = ConfigLoader.load(file, Map.of(
        "node-id", "node3",
        "replication.r", "4",
        "storage.sync-writes", "true",
        "seeds", "10.0.0.1:7070, [::1]:7071",
        "members", "node3@10.0.0.3:7070,node4@10.0.0.4:7070",
        "data-dir", "/var/lib/ringkv"));

    assertThat(config.nodeId()).isEqualTo("node3");
    assertThat(config.port()).isEqualTo(7072);
    assertThat(config.replication()).isEqualTo(new Replication(5, 4, 2));
    assertThat(config.storage().syncWrites()).isTrue();
    assertThat(config.seeds()).containsExactly(new HostPort("10.0.0.1", 7070), new HostPort("::1", 7071));
    assertThat(config.members()).containsExactly(
        new Member("node3", "10.0.0.3", 7070), new Member("node4", "10.0.0.4", 7070));
    assertThat(config.clusterMembers()).isEqualTo(config.members());
    assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/ringkv"));
  }

  @Test
  void emptyOverrideOfAListClearsIt() throws IOException {
    Path file = write("seeds: [a:1, b:2]\n");

    assertThat(ConfigLoader.load(file, Map.of("seeds", "")).seeds()).isEmpty();
  }

  @Test
  void portZeroIsAllowedForTests() {
    NodeConfig config = ConfigLoader.load(null, Map.of("port", "0"));

    assertThat(config.port()).isZero();
    assertThat(config.clusterMembers()).containsExactly(new Member("node1", "127.0.0.1", 0));
  }

  @Test
  void aValidFileRoundTrips() throws IOException {
    Path file = write("""
        cluster-name: prod-eu
        node-id: "007"
        host: 10.1.2.3
        port: 9000
        data-dir: /srv/ringkv/007
        seeds: ["10.1.2.4:9000", "[fe80::1]:9000"]
        members: ["007@10.1.2.3:9000", "008@10.1.2.4:9000", "009@10.1.2.5:9000"]
        partitions: 1024
        replication: {n: 4, r: 1, w: 3}
        limits: {max-key-bytes: 512, max-value-bytes: 0, max-siblings: 5}
        versions: {max-clock-entries: 20}
        storage: {engine: memory, sync-writes: true, object-cache-mib: 8}
        threads: {network: 3, storage: 6}
        timeouts: {request-ms: 10000, replica-ms: 500, read-repair-wait-ms: 0}
        failure-detector: {probe-interval-ms: 250, phi-threshold: 12, failures-to-suspect: 5}
        handoff: {interval-ms: 2000, batch-size: 10, max-keys-per-second: 100, max-hint-mib: 64,
                  max-hint-age-ms: 3600000}
        membership: {gossip-interval-ms: 500, transfer-batch-bytes: 65536, transfer-parallel: 4,
                     transfer-retry-ms: 100, forward-grace-ms: 0}
        metrics: {port: 9464}
        anti-entropy: {enabled: false, interval-ms: 500, max-keys-per-second: 7, tree-leaves: 64,
                       rebuild-interval-ms: 3600000, tombstone-grace-ms: 7200000,
                       rpc-timeout-ms: 1500}
        """);
    NodeConfig config = ConfigLoader.load(file, Map.of());

    String yaml = ConfigLoader.toYaml(config);
    NodeConfig reread = ConfigLoader.load(Files.writeString(dir.resolve("again.yaml"), yaml), Map.of());

    assertThat(reread).isEqualTo(config);
    assertThat(config.nodeId()).isEqualTo("007");
    assertThat(yaml).contains("replication:\n  n: 4\n  r: 1\n  w: 3\n");
    // Every key differs from its default, so a key the writer forgot would show up here.
    NodeConfig defaults = ConfigLoader.load(null, Map.of());
    assertThat(ConfigLoader.toYaml(defaults).lines()).doesNotContainAnyElementsOf(yaml.lines().filter(l -> l.contains(": ")).toList());
  }

  @Test
  void defaultsRoundTripThroughToYaml() throws IOException {
    NodeConfig defaults = ConfigLoader.load(null, Map.of());

    Path file = Files.writeString(dir.resolve("defaults.yaml"), ConfigLoader.toYaml(defaults));

    assertThat(ConfigLoader.load(file, Map.of())).isEqualTo(defaults);
  }
}
