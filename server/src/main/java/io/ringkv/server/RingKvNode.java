package io.ringkv.server;

import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.ringkv.config.Member;
import io.ringkv.config.NodeConfig;
import io.ringkv.env.Clock;
import io.ringkv.env.ExecutorScheduler;
import io.ringkv.env.Scheduler;
import io.ringkv.env.SystemClock;
import io.ringkv.server.antientropy.AntiEntropy;
import io.ringkv.server.coordinator.Coordinator;
import io.ringkv.server.coordinator.CoordinatorSettings;
import io.ringkv.ring.Ring;
import io.ringkv.server.grpc.AdminService;
import io.ringkv.server.grpc.AntiEntropyService;
import io.ringkv.server.grpc.GrpcAntiEntropyPeers;
import io.ringkv.server.grpc.ClusterService;
import io.ringkv.server.grpc.GrpcPeers;
import io.ringkv.server.grpc.KeyValueService;
import io.ringkv.server.grpc.ReplicaService;
import io.ringkv.server.handoff.HintedHandoff;
import io.ringkv.server.liveness.FailureDetector;
import io.ringkv.server.metrics.NodeMetrics;
import io.ringkv.server.liveness.MonitoredDirectory;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.server.replica.ReplicaDirectory;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.InMemoryStorageEngine;
import io.ringkv.storage.NodeIdentity;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.storage.rocksdb.RocksDbStorageEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running ringkv node: storage, coordinator and gRPC server wired from a {@link NodeConfig}.
 * This is the only place the production implementations of the seams (system clock, executors,
 * RocksDB, gRPC) are chosen.
 */
public final class RingKvNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RingKvNode.class);
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

  private final NodeConfig config;
  private final StorageEngine engine;
  private final ExecutorService storageExecutor;
  private final ScheduledExecutorService timers;
  private final Server server;
  private final LocalReplica localReplica;
  private final AtomicReference<Ring> ring;
  private final GrpcPeers peers;
  private final FailureDetector detector;
  private final NodeMetrics metrics;
  private final HintedHandoff handoff;
  private final AntiEntropy antiEntropy;
  private boolean closed;

  private RingKvNode(NodeConfig config) throws IOException {
    this.config = config;
    String self = config.nodeId();
    this.metrics = new NodeMetrics(self);
    this.engine =
        switch (config.storage().engine()) {
          case ROCKSDB -> RocksDbStorageEngine.open(config.dataDir());
          case MEMORY -> new InMemoryStorageEngine();
        };
    try {
      StorageEngine.Durability durability =
          config.storage().syncWrites()
              ? StorageEngine.Durability.SYNC
              : StorageEngine.Durability.BUFFERED;
      NodeIdentity identity = NodeIdentity.loadOrCreate(engine, self, new SecureRandom());
      int cores = Runtime.getRuntime().availableProcessors();
      this.storageExecutor =
          Executors.newFixedThreadPool(Math.max(2, cores), threads(self + "-storage"));
      ScheduledThreadPoolExecutor timerPool =
          new ScheduledThreadPoolExecutor(1, threads(self + "-timer"));
      // Every request schedules a deadline timer and cancels it when answered; without this a
      // cancelled timer (and the request state it holds) stays queued until its delay expires.
      timerPool.setRemoveOnCancelPolicy(true);
      this.timers = timerPool;
      Clock clock = SystemClock.INSTANCE;
      Scheduler scheduler = new ExecutorScheduler(timers);
      long maxHintBytes = config.handoff().maxHintMib() * 1024L * 1024L;
      this.localReplica = new LocalReplica(new VersionedStore(engine, durability),
          new HintStore(engine, durability, maxHintBytes), storageExecutor, clock);
      CoordinatorSettings settings = settings(config, config.clusterMembers().size());
      Map<String, String> addresses = new TreeMap<>();
      Map<String, Integer> weights = new TreeMap<>();
      for (Member m : config.clusterMembers()) {
        addresses.put(m.nodeId(), m.address().format());
        weights.put(m.nodeId(), 1);
      }
      // Static membership: every node derives the same ring from the same member list.
      Ring initial = Ring.initial(config.partitions(), settings.n(), weights);
      this.ring = new AtomicReference<>(initial);
      int maxMessage =
          config.limits().maxValueBytes() + config.limits().maxKeyBytes() + 64 * 1024;
      this.peers =
          new GrpcPeers(addresses::get, settings.replicaTimeout(), settings.requestTimeout(),
              2 * maxMessage);
      NodeConfig.FailureDetector fd = config.failureDetector();
      this.detector = new FailureDetector(self, clock, scheduler, new FailureDetector.Settings(
          Duration.ofMillis(fd.probeIntervalMillis()), fd.phiThreshold(), fd.failuresToSuspect()));
      detector.start(() -> ring.get().nodes(), node -> peers.peer(node).ping());
      ReplicaDirectory monitored = new MonitoredDirectory(peers, detector);
      Coordinator coordinator =
          new Coordinator(
              self,
              identity,
              localReplica,
              monitored,
              key -> ring.get().preferenceList(key),
              detector::isUp,
              clock,
              scheduler,
              settings,
              (node, key) -> metrics.readRepair());
      NodeConfig.Handoff h = config.handoff();
      this.handoff = new HintedHandoff(self, localReplica, monitored, detector::isUp,
          node -> ring.get().nodes().contains(node),
          key -> {
            List<String> pref = ring.get().preferenceList(key);
            return pref.subList(0, Math.min(settings.n(), pref.size()));
          },
          scheduler, clock,
          new HintedHandoff.Settings(Duration.ofMillis(h.intervalMillis()), h.batchSize(),
              h.maxKeysPerSecond(), Duration.ofMillis(h.maxHintAgeMillis())));
      handoff.start();
      // ---- anti-entropy (issue 7): Merkle trees per home partition, background exchanges
      this.antiEntropy = new AntiEntropy(self, localReplica.store(), storageExecutor, ring::get,
          detector::isUp, new GrpcAntiEntropyPeers(peers,
              Duration.ofMillis(config.antiEntropy().rpcTimeoutMillis())),
          scheduler, clock, antiEntropySettings(config), result -> { });
      antiEntropy.start();
      metrics.bindAntiEntropy(antiEntropy);
      // ---- end anti-entropy
      metrics.bindHandoff(localReplica.hints(), handoff, ring.get().nodes());
      metrics.bindDetector(detector, ring.get().nodes());
      if (config.metrics().port() > 0) {
        metrics.serve(config.host(), config.metrics().port());
      }
      HealthStatusManager health = new HealthStatusManager();
      ServerInterceptor ringVersion = ClusterService.ringVersionHeader(ring::get);
      this.server =
          NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()))
              .directExecutor()
              .maxInboundMessageSize(2 * maxMessage)
              .addService(
                  ServerInterceptors.intercept(new KeyValueService(coordinator, metrics),
                      ringVersion))
              .addService(new ClusterService(ring::get,
                  // A configured member list names the addresses to advertise (the bind host
                  // may be 0.0.0.0); a lone node advertises where it listens.
                  node -> config.members().isEmpty() && node.equals(self)
                      ? advertised()
                      : addresses.get(node),
                  settings.n()))
              .addService(new ReplicaService(localReplica, coordinator))
              .addService(new AdminService(self, localReplica.hints(), handoff, detector::isUp,
                  clock, storageExecutor, antiEntropy))
              .addService(new AntiEntropyService(antiEntropy))
              .addService(health.getHealthService())
              .build()
              .start();
      log.info(
          "node {} serving on {}:{} (epoch {}, data in {}, engine {})",
          self,
          config.host(),
          server.getPort(),
          identity.actor(),
          config.dataDir(),
          config.storage().engine().name().toLowerCase());
    } catch (IOException | RuntimeException e) {
      metrics.close();
      engine.close();
      throw e;
    }
  }

  /** Starts a node; fails if its port cannot be bound or its storage cannot be opened. */
  public static RingKvNode start(NodeConfig config) {
    try {
      return new RingKvNode(config);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
  }

  /** The coordinator settings for this cluster size; N, R and W shrink to fit a small cluster. */
  static CoordinatorSettings settings(NodeConfig config, int clusterSize) {
    NodeConfig.Replication rep = config.replication();
    int n = Math.min(rep.n(), clusterSize);
    if (n < rep.n()) {
      log.warn(
          "replication.n={} but the cluster has {} member(s): keeping {} cop{} of each key",
          rep.n(), clusterSize, n, n == 1 ? "y" : "ies");
    }
    NodeConfig.Timeouts t = config.timeouts();
    return new CoordinatorSettings(
        n,
        Math.min(rep.r(), n),
        Math.min(rep.w(), n),
        config.limits().maxKeyBytes(),
        config.limits().maxValueBytes(),
        config.limits().maxSiblings(),
        config.versions().maxClockEntries(),
        Duration.ofMillis(t.requestMillis()),
        Duration.ofMillis(t.replicaMillis()),
        Duration.ofMillis(t.readRepairWaitMillis()));
  }

  /** The anti-entropy settings of a config (the lease covers a few exchange calls). */
  static AntiEntropy.Settings antiEntropySettings(NodeConfig config) {
    NodeConfig.AntiEntropy ae = config.antiEntropy();
    return new AntiEntropy.Settings(ae.enabled(), Duration.ofMillis(ae.intervalMillis()),
        ae.maxKeysPerSecond(), ae.treeLeaves(), Duration.ofMillis(ae.rebuildIntervalMillis()),
        Duration.ofMillis(ae.tombstoneGraceMillis()),
        Duration.ofMillis(3L * ae.rpcTimeoutMillis()));
  }

  public NodeConfig config() {
    return config;
  }

  /** The bound port (useful when the config asked for port 0). */
  public int port() {
    return server.getPort();
  }

  /** The address clients and peers reach this node at. */
  public String advertised() {
    return config.host() + ":" + port();
  }

  /** The ring this node routes by. */
  public Ring ring() {
    return ring.get();
  }

  public NodeMetrics metrics() {
    return metrics;
  }

  public FailureDetector failureDetector() {
    return detector;
  }

  public HintedHandoff handoff() {
    return handoff;
  }

  public LocalReplica localReplica() {
    return localReplica;
  }

  public AntiEntropy antiEntropy() {
    return antiEntropy;
  }

  /** Read repairs this node has sent as a coordinator. */
  public long readRepairs() {
    return metrics.readRepairs();
  }

  /**
   * Stops accepting requests, lets in-flight ones finish (or fails them after a grace period),
   * then closes storage. Safe to call twice.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info("node {} shutting down", config.nodeId());
    handoff.stop();
    antiEntropy.stop();
    detector.stop();
    server.shutdown();
    try {
      if (!server.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("node {}: requests still running after {}; cancelling them",
            config.nodeId(), SHUTDOWN_GRACE);
        server.shutdownNow();
        server.awaitTermination(1, TimeUnit.SECONDS);
      }
      storageExecutor.shutdown();
      if (!storageExecutor.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("node {}: storage work still running; closing anyway", config.nodeId());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    peers.close();
    metrics.close();
    timers.shutdownNow();
    engine.close();
    log.info("node {} stopped", config.nodeId());
  }

  /** Blocks until the server has terminated (the launcher's main thread waits here). */
  public void blockUntilShutdown() throws InterruptedException {
    server.awaitTermination();
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
