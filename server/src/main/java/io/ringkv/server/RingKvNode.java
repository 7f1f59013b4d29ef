package io.ringkv.server;

import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.protobuf.services.HealthStatusManager;
import io.ringkv.config.HostPort;
import io.ringkv.gossip.Changes;
import io.ringkv.gossip.ClusterState;
import io.ringkv.gossip.Gossiper;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.server.grpc.GrpcMembership;
import io.ringkv.server.grpc.MembershipService;
import io.ringkv.server.membership.MembershipBoot;
import io.ringkv.server.membership.StoredState;
import io.ringkv.server.transfer.Transfers;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
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
import io.ringkv.server.grpc.NetworkThreads;
import io.ringkv.server.grpc.ReplicaService;
import io.ringkv.server.grpc.ThreadBufferMarshalling;
import io.ringkv.server.handoff.HintedHandoff;
import io.ringkv.server.liveness.FailureDetector;
import io.ringkv.server.metrics.NodeMetrics;
import io.ringkv.server.liveness.MonitoredDirectory;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.server.replica.ReplicaDirectory;
import io.ringkv.storage.BootId;
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
  private static final Duration SEED_CHECK_TIMEOUT = Duration.ofSeconds(3);

  private final NodeConfig config;
  private final StorageEngine engine;
  private final NetworkThreads network;
  private final ExecutorService storageExecutor;
  private final ScheduledExecutorService timers;
  private final Server server;
  private final ReplicaService replicaService;
  private final KeyValueService keyValueService;
  private final LocalReplica localReplica;
  private final AtomicReference<Ring> ring;
  private final GrpcPeers peers;
  private final FailureDetector detector;
  private final NodeMetrics metrics;
  private final HintedHandoff handoff;
  private final GrpcMembership membershipClient;
  private volatile Gossiper gossiper;
  private final Transfers transfers;
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
    this.network = NetworkThreads.start(self, config.threads().networkThreads());
    try {
      StorageEngine.Durability durability =
          config.storage().syncWrites()
              ? StorageEngine.Durability.SYNC
              : StorageEngine.Durability.BUFFERED;
      // A new epoch if the machine restarted since this node last started and writes are
      // buffered: a power cut may have lost writes it coordinated (NodeIdentity).
      NodeIdentity identity = NodeIdentity.loadOrCreate(engine, self, new SecureRandom(),
          BootId.current(), durability);
      this.storageExecutor = Executors.newFixedThreadPool(config.threads().storageThreads(),
          threads(self + "-storage"));
      ScheduledThreadPoolExecutor timerPool =
          new ScheduledThreadPoolExecutor(1, threads(self + "-timer"));
      // Every request schedules a deadline timer and cancels it when answered; without this a
      // cancelled timer (and the request state it holds) stays queued until its delay expires.
      timerPool.setRemoveOnCancelPolicy(true);
      this.timers = timerPool;
      Clock clock = SystemClock.INSTANCE;
      Scheduler scheduler = new ExecutorScheduler(timers);
      long maxHintBytes = config.handoff().maxHintMib() * 1024L * 1024L;
      this.localReplica = new LocalReplica(
          new VersionedStore(engine, durability, config.storage().objectCacheMib() * (1L << 20)),
          new HintStore(engine, durability, maxHintBytes), storageExecutor, clock);
      CoordinatorSettings settings = settings(config);
      StoredState stored = new StoredState(engine);
      ClusterState saved = stored.load();
      SecureRandom seeds = new SecureRandom();
      ClusterState initial = MembershipBoot.initial(config, saved,
          config.host() + ":" + config.port(), seeds);
      if (saved == null) {
        stored.save(initial);
      }
      this.ring = new AtomicReference<>(initial.ring());
      int maxMessage =
          config.limits().maxValueBytes() + config.limits().maxKeyBytes() + 64 * 1024;
      // Addresses come from the gossiped membership: they change as nodes join.
      Function<String, String> addressOf = node -> {
        Gossiper g = this.gossiper;
        return g == null ? initial.address(node) : g.state().address(node);
      };
      this.peers =
          new GrpcPeers(network, addressOf, settings.replicaTimeout(), settings.requestTimeout(),
              2 * maxMessage, timers);
      NodeConfig.Membership mc = config.membership();
      this.membershipClient = new GrpcMembership(network, self, addressOf, settings.replicaTimeout(),
          settings.replicaTimeout().multipliedBy(10),
          2 * maxMessage + 2 * mc.transferBatchBytes());
      NodeConfig.FailureDetector fd = config.failureDetector();
      this.detector = new FailureDetector(self, clock, scheduler, new FailureDetector.Settings(
          Duration.ofMillis(fd.probeIntervalMillis()), fd.phiThreshold(), fd.failuresToSuspect()));
      this.gossiper = new Gossiper(self, initial, clock.wallMillis(),
          config.seeds().stream().map(HostPort::format).toList(), membershipClient, stored,
          scheduler, new java.util.Random(seeds.nextLong()),
          new Gossiper.Settings(Duration.ofMillis(mc.gossipIntervalMillis()), 5),
          detector::success);
      gossiper.addListener((before, after) -> ring.set(after.ring()));
      detector.start(() -> gossiper.state().involved(), node -> peers.peer(node).ping());
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
          node -> gossiper.state().involved().contains(node),
          // Where a key's data lives: its home replicas, and during a ring change its new ones.
          key -> gossiper.state().holders(key),
          scheduler, clock,
          new HintedHandoff.Settings(Duration.ofMillis(h.intervalMillis()), h.batchSize(),
              h.maxKeysPerSecond(), Duration.ofMillis(h.maxHintAgeMillis())));
      handoff.start();
      this.transfers = new Transfers(self, gossiper, localReplica, membershipClient, monitored,
          detector::isUp, scheduler, clock, new Transfers.Settings(mc.transferBatchBytes(),
              mc.transferParallel(), Duration.ofMillis(mc.transferRetryMillis()),
              Duration.ofMillis(mc.forwardGraceMillis())));
      // ---- anti-entropy (issue 7): Merkle trees per home partition, background exchanges
      this.antiEntropy = new AntiEntropy(self, localReplica.store(), storageExecutor, ring::get,
          detector::isUp, new GrpcAntiEntropyPeers(peers,
              Duration.ofMillis(config.antiEntropy().rpcTimeoutMillis())),
          scheduler, clock, antiEntropySettings(config), result -> { });
      antiEntropy.start();
      gossiper.addListener((before, after) -> {
        if (!after.ring().equals(before.ring())) {
          storageExecutor.execute(antiEntropy::ringChanged);
        }
      });
      metrics.bindAntiEntropy(antiEntropy);
      // ---- end anti-entropy
      metrics.bindStorage(engine);
      metrics.bindHandoff(localReplica.hints(), handoff, ring.get().nodes());
      metrics.bindDetector(detector, ring.get().nodes());
      metrics.bindMembership(gossiper, transfers);
      if (config.metrics().port() > 0) {
        metrics.serve(config.host(), config.metrics().port());
      }
      HealthStatusManager health = new HealthStatusManager();
      ServerInterceptor ringVersion = ClusterService.ringVersionHeader(ring::get);
      this.replicaService = new ReplicaService(localReplica, coordinator);
      this.keyValueService =
          new KeyValueService(coordinator, metrics, () -> ring.get().version());
      metrics.bindSessions(keyValueService::openSessions);
      this.server =
          network.server(new InetSocketAddress(config.host(), config.port()))
              .directExecutor()
              .maxInboundMessageSize(2 * maxMessage)
              // The request path's two services send without a buffer per message.
              .addService(ThreadBufferMarshalling.of(
                  ServerInterceptors.intercept(keyValueService, ringVersion)))
              .addService(new ClusterService(ring::get, addressOf, settings.n()))
              .addService(ThreadBufferMarshalling.of(replicaService.bindService()))
              .addService(new AdminService(self, localReplica.hints(), handoff, detector::isUp,
                    clock, storageExecutor, antiEntropy).withMembership(this::advertised,
                    gossiper, membershipClient, engine, settings.requestTimeout()))
                .addService(new MembershipService(gossiper, transfers, storageExecutor))
                .addService(new AntiEntropyService(antiEntropy))
              .addService(health.getHealthService())
              .build()
              .start();
      if (gossiper.state().address(self).endsWith(":0")) {
        // Started on an ephemeral port: tell the cluster where this node really listens.
        gossiper.update(st -> Changes.readdress(st, self, advertised(), self));
      }
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
      network.close();
      engine.close();
      throw e;
    }
  }

  /** Starts a node; fails if its port cannot be bound or its storage cannot be opened. */
  public static RingKvNode start(NodeConfig config) {
    try {
      RingKvNode node = new RingKvNode(config);
      try {
        node.checkSeeds(config.seeds().stream().map(HostPort::format).toList());
      } catch (RuntimeException e) {
        node.close();
        throw e;
      }
      node.gossiper.start();
      node.transfers.start();
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The coordinator settings. A cluster smaller than N keeps a copy on every node, and the
   * default quorums shrink to fit (the coordinator clamps them per key).
   */
  static CoordinatorSettings settings(NodeConfig config) {
    NodeConfig.Replication rep = config.replication();
    NodeConfig.Timeouts t = config.timeouts();
    return new CoordinatorSettings(
        rep.n(),
        rep.r(),
        rep.w(),
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

  /** This node's membership: the cluster state and the gossip that spreads it. */
  public Gossiper gossiper() {
    return gossiper;
  }

  public Transfers transfers() {
    return transfers;
  }

  /**
   * Gossips once with every configured seed before serving: a seed that belongs to another
   * cluster stops the start of a node that is a member of a cluster (a wrong seed list would
   * otherwise split one cluster in two, or mix two). A lone node just waits to be joined.
   */
  private void checkSeeds(List<String> seeds) {
    String own = advertised();
    for (String seed : seeds) {
      if (seed.equals(own) || seed.equals(gossiper.state().address(config.nodeId()))) {
        continue;
      }
      try {
        gossiper.receive(membershipClient.exchange(seed, gossiper.digest())
            .get(SEED_CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
      } catch (Gossiper.ForeignClusterException e) {
        foreign(seed, e.getMessage());
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof KvException kv && kv.code() == KvException.Code.FAILED_PRECONDITION) {
          foreign(seed, kv.getMessage());
        } else {
          log.warn("node {}: seed {} did not answer ({}); going on without it",
              config.nodeId(), seed, cause == null ? e.toString() : cause.getMessage());
        }
      } catch (TimeoutException e) {
        log.warn("node {}: seed {} did not answer in {}; going on without it", config.nodeId(),
            seed, SEED_CHECK_TIMEOUT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void foreign(String seed, String why) {
    ClusterState s = gossiper.state();
    if (s.live().size() <= 1) {
      log.info("node {}: seed {} is not in this node's cluster ({}); this node is a cluster of"
          + " its own until it is joined to another with `ringkv admin join`", config.nodeId(),
          seed, why);
      return;
    }
    throw new IllegalStateException("seed " + seed + " belongs to another cluster (" + why
        + "); this node is a member of cluster '" + s.clusterName() + "' (" + s.clusterId()
        + ", members " + s.ring().nodes() + "): fix seeds");
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
    gossiper.stop();
    transfers.stop();
    handoff.stop();
    antiEntropy.stop();
    detector.stop();
    server.shutdown();
    replicaService.closeStreams();
    keyValueService.stopSessions();
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
    membershipClient.close();
    network.close();
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
