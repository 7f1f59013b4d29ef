package io.ringkv.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every setting of one node, typed, as {@link ConfigLoader} reads it from {@code
 * ringkv-default.yaml}, a file and command-line overrides. Record components mirror the YAML keys
 * ({@code replication.r} is {@code replication().r()}); the meaning and default of each key is
 * documented once, in that resource ({@link ConfigLoader#defaultYaml()}).
 *
 * <p>The constructors enforce every rule, so any instance is valid however it was built; a
 * violation is a {@link ConfigException} naming the dotted key. Defaults live only in the YAML
 * resource: to get a config in code, use {@code ConfigLoader.load(null, Map.of("port", "0"))}.
 *
 * @param members the static membership as configured, possibly empty; use {@link
 *     #clusterMembers()} for the membership a node starts with
 */
public record NodeConfig(
    String clusterName,
    String nodeId,
    String host,
    int port,
    Path dataDir,
    List<HostPort> seeds,
    List<Member> members,
    int partitions,
    Replication replication,
    Limits limits,
    Versions versions,
    Storage storage,
    Threads threads,
    Timeouts timeouts,
    FailureDetector failureDetector,
    Handoff handoff,
    Membership membership,
    Metrics metrics,
    AntiEntropy antiEntropy) {

  /** The ring's limit (re-striping a ring costs O(Q^2)). */
  public static final int MAX_PARTITIONS = 4096;

  public NodeConfig {
    check(clusterName != null && !clusterName.isBlank(), "cluster-name", "must not be empty");
    check(nodeId != null && Member.NODE_ID.matcher(nodeId).matches(),
        "node-id", "must match " + Member.NODE_ID + ", got '" + nodeId + "'");
    check(host != null && !host.isBlank() && host.chars().noneMatch(Character::isWhitespace),
        "host", "must be a host name or address without spaces, got '" + host + "'");
    check(port >= 0 && port <= 65535, "port", "must be between 0 and 65535, got " + port);
    check(dataDir != null && !dataDir.toString().isEmpty(), "data-dir", "must not be empty");
    seeds = List.copyOf(seeds);
    for (HostPort seed : seeds) {
      check(seed.port() > 0, "seeds", "needs a port between 1 and 65535, got '" + seed.format() + "'");
    }
    members = List.copyOf(members);
    checkMembers(nodeId, members);
    check(partitions >= 2 && partitions <= MAX_PARTITIONS && Integer.bitCount(partitions) == 1,
        "partitions", "must be a power of two between 2 and " + MAX_PARTITIONS + ", got " + partitions);
    Objects.requireNonNull(replication, "replication");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(versions, "versions");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(threads, "threads");
    Objects.requireNonNull(timeouts, "timeouts");
    Objects.requireNonNull(failureDetector, "failureDetector");
    Objects.requireNonNull(handoff, "handoff");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(antiEntropy, "antiEntropy");
    check(antiEntropy.tombstoneGraceMillis() >= handoff.maxHintAgeMillis(),
        "anti-entropy.tombstone-grace-ms", "must be at least handoff.max-hint-age-ms ("
            + handoff.maxHintAgeMillis() + "), or a hint of a deleted value could outlive its"
            + " tombstone, got " + antiEntropy.tombstoneGraceMillis(),
        "handoff.max-hint-age-ms");
  }

  /**
   * The membership this node starts with: {@link #members()}, or when that is empty just this node
   * at {@code host:port} (a single-node cluster; the port may be 0 until the server binds).
   */
  public List<Member> clusterMembers() {
    return members.isEmpty() ? List.of(new Member(nodeId, host, port)) : members;
  }

  /** Replication factor N and the read and write quorums R and W. */
  public record Replication(int n, int r, int w) {
    public Replication {
      check(n >= 1, "replication.n", "must be at least 1, got " + n);
      check(r >= 1 && r <= n, "replication.r",
          "must be between 1 and replication.n (" + n + "), got " + r, "replication.n");
      check(w >= 1 && w <= n, "replication.w",
          "must be between 1 and replication.n (" + n + "), got " + w, "replication.n");
    }
  }

  /** Size limits on what a client may store; requests over them are rejected, not truncated. */
  public record Limits(int maxKeyBytes, int maxValueBytes, int maxSiblings) {
    public Limits {
      check(maxKeyBytes >= 1, "limits.max-key-bytes", "must be at least 1, got " + maxKeyBytes);
      check(maxValueBytes >= 0, "limits.max-value-bytes", "must be at least 0, got " + maxValueBytes);
      check(maxSiblings >= 1, "limits.max-siblings", "must be at least 1, got " + maxSiblings);
    }
  }

  /** Vector clock settings. */
  public record Versions(int maxClockEntries) {
    public Versions {
      check(maxClockEntries >= 1, "versions.max-clock-entries", "must be at least 1, got " + maxClockEntries);
    }
  }

  /** Which storage engine holds this node's data, how durably it writes, what it caches. */
  public record Storage(Engine engine, boolean syncWrites, int objectCacheMib) {
    public Storage {
      Objects.requireNonNull(engine, "engine");
      check(objectCacheMib >= 0 && objectCacheMib <= 65536, "storage.object-cache-mib",
          "must be between 0 and 65536, got " + objectCacheMib);
    }
  }

  /** Storage engines; in YAML the lower-case name ({@code rocksdb}, {@code memory}). */
  public enum Engine {
    ROCKSDB,
    MEMORY
  }

  /**
   * How many threads run the network and the storage; 0 picks a number from the cores ({@link
   * #networkThreads()}, {@link #storageThreads()}). Every thread more than the work needs costs
   * hand-offs: a request crosses from a network thread to a storage thread and back, and waking a
   * parked thread is a system call and often a context switch.
   */
  public record Threads(int network, int storage) {
    /** More would only be contention: threads are per node, and nothing here blocks on them. */
    public static final int MAX = 256;

    public Threads {
      check(network >= 0 && network <= MAX, "threads.network",
          "must be between 0 and " + MAX + " (0: half the cores), got " + network);
      check(storage >= 0 && storage <= MAX, "threads.storage",
          "must be between 0 and " + MAX + " (0: half the cores), got " + storage);
    }

    /** The network threads to start: as configured, or half the cores (at least 1). */
    public int networkThreads() {
      return network > 0 ? network : halfTheCores();
    }

    /** The storage threads to start: as configured, or half the cores (at least 1). */
    public int storageThreads() {
      return storage > 0 ? storage : halfTheCores();
    }

    private static int halfTheCores() {
      return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
  }

  /** Server-side time limits, in milliseconds. */
  public record Timeouts(int requestMillis, int replicaMillis, int readRepairWaitMillis) {
    public Timeouts {
      check(requestMillis >= 1, "timeouts.request-ms", "must be at least 1, got " + requestMillis);
      check(replicaMillis >= 1, "timeouts.replica-ms", "must be at least 1, got " + replicaMillis);
      check(readRepairWaitMillis >= 0, "timeouts.read-repair-wait-ms",
          "must be at least 0, got " + readRepairWaitMillis);
    }
  }

  /** How this node decides a peer is down or back (an accrual detector plus hard failures). */
  public record FailureDetector(int probeIntervalMillis, int phiThreshold, int failuresToSuspect) {
    public FailureDetector {
      check(probeIntervalMillis >= 1, "failure-detector.probe-interval-ms",
          "must be at least 1, got " + probeIntervalMillis);
      check(phiThreshold >= 1, "failure-detector.phi-threshold",
          "must be at least 1, got " + phiThreshold);
      check(failuresToSuspect >= 1, "failure-detector.failures-to-suspect",
          "must be at least 1, got " + failuresToSuspect);
    }
  }

  /** Hinted handoff: how hints are delivered and how many may be held. */
  public record Handoff(
      int intervalMillis, int batchSize, int maxKeysPerSecond, int maxHintMib, long maxHintAgeMillis) {
    public Handoff {
      check(intervalMillis >= 1, "handoff.interval-ms", "must be at least 1, got " + intervalMillis);
      check(batchSize >= 1, "handoff.batch-size", "must be at least 1, got " + batchSize);
      check(maxKeysPerSecond >= 1, "handoff.max-keys-per-second",
          "must be at least 1, got " + maxKeysPerSecond);
      check(maxHintMib >= 1, "handoff.max-hint-mib", "must be at least 1, got " + maxHintMib);
      check(maxHintAgeMillis >= 1, "handoff.max-hint-age-ms",
          "must be at least 1, got " + maxHintAgeMillis);
    }
  }

  /** Gossip and the data transfer of ring changes. */
  public record Membership(int gossipIntervalMillis, int transferBatchBytes, int transferParallel,
      int transferRetryMillis, int forwardGraceMillis) {
    public Membership {
      check(gossipIntervalMillis >= 1, "membership.gossip-interval-ms",
          "must be at least 1, got " + gossipIntervalMillis);
      check(transferBatchBytes >= 1024 && transferBatchBytes <= 16 << 20,
          "membership.transfer-batch-bytes",
          "must be between 1024 and 16777216, got " + transferBatchBytes);
      check(transferParallel >= 1, "membership.transfer-parallel",
          "must be at least 1, got " + transferParallel);
      check(transferRetryMillis >= 1, "membership.transfer-retry-ms",
          "must be at least 1, got " + transferRetryMillis);
      check(forwardGraceMillis >= 0, "membership.forward-grace-ms",
          "must be at least 0, got " + forwardGraceMillis);
    }
  }

  /** The Prometheus endpoint; port 0 turns it off. */
  public record Metrics(int port) {
    public Metrics {
      check(port >= 0 && port <= 65535, "metrics.port", "must be between 0 and 65535, got " + port);
    }
  }

  /** Merkle-tree anti-entropy between the home replicas of each partition. */
  public record AntiEntropy(boolean enabled, int intervalMillis, int maxKeysPerSecond,
      int treeLeaves, long rebuildIntervalMillis, long tombstoneGraceMillis, int rpcTimeoutMillis) {
    public AntiEntropy {
      check(intervalMillis >= 1, "anti-entropy.interval-ms",
          "must be at least 1, got " + intervalMillis);
      check(maxKeysPerSecond >= 1, "anti-entropy.max-keys-per-second",
          "must be at least 1, got " + maxKeysPerSecond);
      check(treeLeaves >= 1 && treeLeaves <= 1 << 20 && Integer.bitCount(treeLeaves) == 1,
          "anti-entropy.tree-leaves",
          "must be a power of two between 1 and 1048576, got " + treeLeaves);
      check(rebuildIntervalMillis >= 1, "anti-entropy.rebuild-interval-ms",
          "must be at least 1, got " + rebuildIntervalMillis);
      check(tombstoneGraceMillis >= 1, "anti-entropy.tombstone-grace-ms",
          "must be at least 1, got " + tombstoneGraceMillis);
      check(rpcTimeoutMillis >= 1, "anti-entropy.rpc-timeout-ms",
          "must be at least 1, got " + rpcTimeoutMillis);
    }
  }

  private static void checkMembers(String nodeId, List<Member> members) {
    Set<String> ids = new HashSet<>();
    for (Member m : members) {
      check(m.port() > 0, "members", "needs a port between 1 and 65535, got '" + m.format() + "'");
      check(ids.add(m.nodeId()), "members", "node id '" + m.nodeId() + "' appears more than once");
    }
    if (!members.isEmpty()) {
      String listed = members.stream().map(Member::nodeId).collect(Collectors.joining(", "));
      check(ids.contains(nodeId), "node-id",
          "'" + nodeId + "' is not one of the members (" + listed + ")", "members");
    }
  }

  private static void check(boolean ok, String key, String problem, String... relatedKeys) {
    if (!ok) {
      throw ConfigException.invalid(key, null, problem, relatedKeys);
    }
  }
}
