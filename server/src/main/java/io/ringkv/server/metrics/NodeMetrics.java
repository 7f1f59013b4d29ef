package io.ringkv.server.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.ringkv.gossip.Gossiper;
import io.ringkv.server.transfer.Transfers;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.ringkv.server.antientropy.AntiEntropy;
import io.ringkv.server.handoff.HintedHandoff;
import io.ringkv.server.liveness.FailureDetector;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.StorageEngine;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator graphs about one node, in a Prometheus registry, served at {@code /metrics}
 * when {@code metrics.port} is set: request latency and outcome per operation, read repairs,
 * hints held and handed off, the failure detector's opinion of each peer, the storage engine's
 * memory and background work, and the JVM.
 */
public final class NodeMetrics implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);

  private final PrometheusMeterRegistry registry;
  private final Counter readRepairs;
  private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();
  /** Run before every scrape: meters whose rows change (per partition) are refreshed then. */
  private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();
  private HttpServer http;

  private volatile FailureDetector detector;
  private volatile HintStore hintStore;

  public NodeMetrics(String nodeId) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", nodeId);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    readRepairs = Counter.builder("ringkv.read.repairs")
        .description("Stale replicas sent the reconciled version after a read")
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Records one client request: {@code op} get, put or delete; {@code outcome} ok or a status. */
  public void request(String op, String outcome, long nanos) {
    timers.computeIfAbsent(op + "/" + outcome, k -> Timer.builder("ringkv.requests")
            .description("Client requests served by this node as coordinator")
            .tags("op", op, "outcome", outcome)
            .publishPercentiles(0.5, 0.99, 0.999)
            .distributionStatisticExpiry(Duration.ofMinutes(1))
            .register(registry))
        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public void readRepair() {
    readRepairs.increment();
  }

  /** Read repairs sent since start. */
  public long readRepairs() {
    return (long) readRepairs.count();
  }

  /** Gauges and counters of hinted handoff, per node hints are held for. */
  public void bindHandoff(HintStore hints, HintedHandoff handoff, Collection<String> nodes) {
    this.hintStore = hints;
    nodes.forEach(this::hintGauge);
    Gauge.builder("ringkv.hints.bytes", hints,
            h -> h.held().values().stream().mapToLong(HintStore.Held::bytes).sum())
        .description("Bytes of the hint store").baseUnit("bytes").register(registry);
    Gauge.builder("ringkv.hints.delivered", handoff, HintedHandoff::delivered)
        .description("Hints handed off and acknowledged since start").register(registry);
    Gauge.builder("ringkv.hints.expired", handoff, HintedHandoff::expired)
        .description("Hints dropped for age since start").register(registry);
    Gauge.builder("ringkv.hints.refused", hints, HintStore::refused)
        .description("Hinted writes refused because the hint store was full").register(registry);
  }

  /** The storage engine's own figures ({@link StorageEngine#statistics()}), as gauges. */
  public void bindStorage(StorageEngine engine) {
    for (StorageEngine.Statistic s : engine.statistics()) {
      Gauge.builder("ringkv.storage." + s.name(), s.value(), DoubleSupplier::getAsDouble)
          .description(s.description())
          .baseUnit(s.baseUnit())
          .strongReference(true) // the supplier is referenced from nowhere else
          .register(registry);
    }
  }

  /** Client sessions open on this node (a client keeps one per node it talks to). */
  public void bindSessions(java.util.function.IntSupplier open) {
    Gauge.builder("ringkv.sessions.open", open, s -> s.getAsInt())
        .description("Client sessions (KeyValue.Session streams) open on this node")
        .strongReference(true) // the supplier is referenced from nowhere else
        .register(registry);
  }

  /** Whether this node considers each peer reachable (1) or not (0). */
  public void bindDetector(FailureDetector detector, Collection<String> nodes) {
    this.detector = detector;
    nodes.forEach(this::peerGauge);
  }

  /**
   * Membership: the ring version in effect, members, handovers of a pending ring change still to
   * do, and the keys this node received and forwarded for ring changes. Per-node gauges follow
   * the members as they join.
   */
  public void bindMembership(Gossiper gossiper, Transfers transfers) {
    Gauge.builder("ringkv.ring.version", gossiper, g -> g.state().ring().version())
        .description("Version of the ring this node serves by").register(registry);
    Gauge.builder("ringkv.members", gossiper, g -> g.state().live().size())
        .description("Members that are not removed, as this node knows them").register(registry);
    Gauge.builder("ringkv.transfer.handovers.remaining", gossiper,
            g -> g.state().remaining().size())
        .description("Partition handovers of the pending ring change not done yet")
        .register(registry);
    FunctionCounter.builder("ringkv.transfer.keys.received", transfers, Transfers::keysReceived)
        .description("Objects this node received as a new home replica").register(registry);
    FunctionCounter.builder("ringkv.transfer.keys.forwarded", transfers,
            Transfers::keysForwarded)
        .description("Writes this node forwarded to a partition's new home replica")
        .register(registry);
    gossiper.addListener((before, after) -> {
      for (String node : after.involved()) {
        if (!before.involved().contains(node)) {
          peerGauge(node);
          hintGauge(node);
        }
      }
    });
  }

  private void peerGauge(String node) {
    FailureDetector d = detector;
    if (d != null) {
      Gauge.builder("ringkv.peer.up", d, x -> x.isUp(node) ? 1 : 0)
          .description("This node's failure detector considers the peer reachable")
          .tag("peer", node).register(registry);
    }
  }

  private void hintGauge(String node) {
    HintStore hints = hintStore;
    if (hints != null) {
      Gauge.builder("ringkv.hints.held", hints, h -> {
            HintStore.Held held = h.held().get(node);
            return held == null ? 0 : held.keys();
          })
          .description("Keys held as hints for a node that was down")
          .tag("for", node).register(registry);
    }
  }

  /**
   * Anti-entropy: exchanges by outcome, keys repaired, tombstones purged, trees built and their
   * memory, the largest time since a home partition's last exchange, and per home partition the
   * time since its last exchange and the keys it repaired (rows follow the ring at each scrape).
   */
  public void bindAntiEntropy(AntiEntropy ae) {
    FunctionCounter.builder("ringkv.antientropy.exchanges", ae, AntiEntropy::exchangesCompleted)
        .description("Anti-entropy exchanges this node ran, by outcome")
        .tag("outcome", "completed").register(registry);
    FunctionCounter.builder("ringkv.antientropy.exchanges", ae, AntiEntropy::exchangesFailed)
        .description("Anti-entropy exchanges this node ran, by outcome")
        .tag("outcome", "failed").register(registry);
    FunctionCounter.builder("ringkv.antientropy.keys.repaired", ae, AntiEntropy::keysRepaired)
        .description("Keys that differed between replicas and were synced by this node's"
            + " exchanges").register(registry);
    FunctionCounter.builder("ringkv.antientropy.tombstones.purged", ae,
            AntiEntropy::tombstonesPurged)
        .description("Tombstones purged (every home replica held them, grace passed)")
        .register(registry);
    FunctionCounter.builder("ringkv.antientropy.trees.built", ae, a -> a.trees().builds())
        .description("Hash trees built from storage since start").register(registry);
    Gauge.builder("ringkv.antientropy.tree.memory", ae, a -> a.trees().bytes())
        .description("Memory held by the hash trees' hashes").baseUnit("bytes")
        .register(registry);
    Gauge.builder("ringkv.antientropy.last.exchange.age.max", ae,
            a -> a.oldestExchangeAgeMillis() / 1000.0)
        .description("The longest time since a home partition's last completed exchange")
        .baseUnit("seconds").register(registry);
    MultiGauge age = MultiGauge.builder("ringkv.antientropy.partition.last.exchange.age")
        .description("Time since the partition's last completed exchange (absent: none yet)")
        .baseUnit("seconds").register(registry);
    MultiGauge repaired = MultiGauge.builder("ringkv.antientropy.partition.keys.repaired")
        .description("Keys repaired by this node's exchanges of the partition since start")
        .register(registry);
    beforeScrape.add(() -> {
      List<AntiEntropy.PartitionStatus> parts = ae.status().partitions();
      age.register(parts.stream().filter(p -> p.lastExchangeAgeMillis() >= 0)
          .map(p -> MultiGauge.Row.of(Tags.of("partition", Integer.toString(p.partition())),
              p.lastExchangeAgeMillis() / 1000.0))
          .toList(), true);
      repaired.register(parts.stream()
          .map(p -> MultiGauge.Row.of(Tags.of("partition", Integer.toString(p.partition())),
              p.keysRepaired()))
          .toList(), true);
    });
  }

  /** Serves {@code /metrics} on {@code host:port}. */
  public void serve(String host, int port) throws IOException {
    http = HttpServer.create(new InetSocketAddress(host, port), 16);
    http.createContext("/metrics", exchange -> {
      byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    http.start();
    log.info("metrics on http://{}:{}/metrics", host, http.getAddress().getPort());
  }

  /** The bound metrics port, or -1 when not serving. */
  public int port() {
    return http == null ? -1 : http.getAddress().getPort();
  }

  /** The whole registry in Prometheus text format. */
  public String scrape() {
    beforeScrape.forEach(Runnable::run);
    return registry.scrape();
  }

  @Override
  public void close() {
    if (http != null) {
      http.stop(0);
    }
    registry.close();
  }
}
