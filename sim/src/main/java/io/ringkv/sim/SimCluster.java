package io.ringkv.sim;

import io.ringkv.ring.Ring;
import io.ringkv.server.antientropy.AntiEntropy;
import io.ringkv.server.antientropy.ExchangeResult;
import io.ringkv.server.coordinator.Coordinator;
import io.ringkv.server.handoff.HintedHandoff;
import io.ringkv.server.liveness.FailureDetector;
import io.ringkv.server.liveness.MonitoredDirectory;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.server.replica.ReplicaDirectory;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.InMemoryStorageEngine;
import io.ringkv.storage.NodeIdentity;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * The nodes of a simulation and their lifecycle: start (wire a node's protocol objects over its
 * disk, as {@code RingKvNode} does in production), crash (end the life: every pending event of
 * the node is dropped, the disk survives, as a RocksDB WAL survives a process kill), disk loss (a
 * fresh empty engine, so the node comes back as a new actor) and restart.
 */
final class SimCluster {

  final Scenario scenario;
  final TreeMap<String, SimNode> nodes = new TreeMap<>();
  final SimTransport transport;
  private final EventQueue queue;
  private final History history;
  private final EventLog log;
  private final Wiring wiring;
  private final SplittableRandom identityRng;
  private final SplittableRandom storageRng;
  private final Map<String, Integer> weights = new TreeMap<>();
  private long readRepairs;
  private long crashes;
  private long exchanges;
  private long repairedKeys;

  SimCluster(Scenario scenario, EventQueue queue, SimNetwork network, History history,
      EventLog log, Wiring wiring, SplittableRandom rng) {
    this.scenario = scenario;
    this.queue = queue;
    this.history = history;
    this.log = log;
    this.wiring = wiring;
    this.identityRng = rng.split();
    this.storageRng = rng.split();
    SplittableRandom clockRng = rng.split();
    this.transport = new SimTransport(this, queue, network, history, log, wiring,
        scenario.settings().replicaTimeout().toNanos());
    for (int i = 1; i <= scenario.nodes(); i++) {
      String id = "n" + i;
      // Clocks disagree by up to +-5 s from the start, as unsynchronised machines do.
      long skew = scenario.faults() ? rng.nextLong(10_000_000_000L) - 5_000_000_000L : 0;
      SimClock clock = new SimClock(queue, skew, clockRng.nextLong(1L << 40));
      nodes.put(id, new SimNode(id, clock, freshDisk(id)));
      weights.put(id, 1);
    }
  }

  SimNode node(String id) {
    return nodes.get(id);
  }

  List<String> ids() {
    return new ArrayList<>(nodes.keySet());
  }

  List<String> upIds() {
    List<String> out = new ArrayList<>();
    for (SimNode n : nodes.values()) {
      if (n.up()) {
        out.add(n.id);
      }
    }
    return out;
  }

  /** The home replicas of {@code key} by {@code node}'s ring. */
  List<String> home(SimNode node, byte[] key) {
    List<String> pref = node.ring.preferenceList(key);
    return pref.subList(0, Math.min(scenario.settings().n(), pref.size()));
  }

  long readRepairs() {
    return readRepairs;
  }

  long crashes() {
    return crashes;
  }

  /** Anti-entropy exchanges run, and keys they repaired, over all nodes and lives. */
  long exchanges() {
    return exchanges;
  }

  long repairedKeys() {
    return repairedKeys;
  }

  void startAll() {
    for (SimNode n : nodes.values()) {
      start(n);
    }
  }

  /**
   * Builds the node's protocol objects for a new life over whatever its disk holds, wired as
   * {@code RingKvNode} wires them: failure detector probing the members, a monitored directory
   * feeding it every call's outcome, the coordinator skipping nodes it suspects, hinted handoff,
   * and anti-entropy (its trees built from the disk on every start, as in production).
   */
  void start(SimNode node) {
    Life life = new Life(node.id, ++node.lives);
    String self = node.id;
    NodeIdentity identity = NodeIdentity.loadOrCreate(node.disk, self, identityRng);
    if (!node.actors.contains(identity.actor())) {
      node.actors.add(identity.actor());
    }
    StorageEngine.Durability durability = StorageEngine.Durability.BUFFERED;
    LocalReplica local = new LocalReplica(new VersionedStore(node.disk, durability),
        new HintStore(node.disk, durability, scenario.maxHintBytes()), storageExecutor(life),
        node.clock);
    // Static membership: every node derives the ring from the same member list, as production
    // does; checker 4 compares them.
    Ring ring = Ring.initial(scenario.partitions(), scenario.settings().n(), weights);
    NodeScheduler scheduler = new NodeScheduler(queue, life);
    ReplicaDirectory peers = transport.directory(self, life);
    FailureDetector detector =
        new FailureDetector(self, node.clock, scheduler, scenario.detector());
    detector.start(ring::nodes, peer -> peers.peer(peer).ping());
    ReplicaDirectory monitored = new MonitoredDirectory(peers, detector);
    Coordinator coordinator =
        new Coordinator(
            self, identity, local, monitored, ring::preferenceList, detector::isUp,
            node.clock, scheduler, scenario.settings(),
            (peer, key) -> {
              readRepairs++;
              log.add(() -> self + " read repair of " + EventLog.utf8(key) + " on " + peer);
            });
    int n = scenario.settings().n();
    HintedHandoff handoff = new HintedHandoff(self, local, wiring.handoff(self, monitored),
        detector::isUp,
        member -> ring.nodes().contains(member),
        key -> ring.preferenceList(key).subList(0, Math.min(n, ring.preferenceList(key).size())),
        scheduler, node.clock, scenario.handoff());
    handoff.start();
    VersionedStore store = local.store();
    // Anti-entropy's storage work runs on the same simulated disk, but in the background: the heal
    // phase's quiescence test leaves it out (it never stops; it cannot undo convergence).
    AntiEntropy antiEntropy = new AntiEntropy(self, store, backgroundExecutor(life), () -> ring,
        detector::isUp, transport.antiEntropy(self, life), scheduler, node.clock,
        scenario.antiEntropy(), r -> {
          exchanges++;
          repairedKeys += r.keysRepaired();
          if (r.keysRepaired() > 0 || r.outcome() == ExchangeResult.Outcome.FAILED) {
            log.add(() -> self + " anti-entropy exchange of partition " + r.partition()
                + " with " + r.peer() + ": " + r.outcome() + " " + r.detail() + ", "
                + r.keysDiffering() + " keys differed, " + r.keysRepaired() + " repaired");
          }
        });
    antiEntropy.start();
    node.life = life;
    node.identity = identity;
    node.local = local;
    node.ring = ring;
    node.detector = detector;
    node.handoff = handoff;
    node.antiEntropy = antiEntropy;
    node.coordinator = coordinator;
    log.add(() -> self + " STARTED life " + life.number + " as " + identity.actor());
  }

  /** The process dies: in-flight work and unsent replies are lost, the disk is kept. */
  void crash(String id) {
    SimNode node = nodes.get(id);
    if (!node.up()) {
      return;
    }
    crashes++;
    node.life.end();
    node.life = null;
    node.identity = null;
    node.local = null;
    node.coordinator = null;
    node.detector = null;
    node.handoff = null;
    node.antiEntropy = null;
    log.add(() -> id + " CRASHED");
  }

  /** The node crashes and its disk is replaced by an empty one. */
  void loseDisk(String id) {
    crash(id);
    SimNode node = nodes.get(id);
    node.disk = freshDisk(id);
    history.diskLoss(id, queue.now());
    log.add(() -> id + " LOST ITS DISK");
  }

  void restart(String id) {
    SimNode node = nodes.get(id);
    if (!node.up()) {
      start(node);
    }
  }

  /** The engine every write goes through; a task runs after a simulated disk latency. */
  private Executor storageExecutor(Life life) {
    return task -> {
      life.pendingStorage++;
      queue.after(storageLatencyNanos(), life, () -> {
        life.pendingStorage--;
        task.run();
      });
    };
  }

  /** Like {@link #storageExecutor}, for background work not counted as pending. */
  private Executor backgroundExecutor(Life life) {
    return task -> queue.after(storageLatencyNanos(), life, task);
  }

  /** Whether any node that is up has protocol work under way. */
  boolean busy() {
    for (SimNode n : nodes.values()) {
      if (n.up() && n.life.busy()) {
        return true;
      }
    }
    return false;
  }

  private long storageLatencyNanos() {
    long d = 5_000 + storageRng.nextLong(100_000);
    if (scenario.faults() && storageRng.nextInt(200) == 0) {
      d += storageRng.nextLong(20_000_000); // a stall: compaction, a slow fsync
    }
    return d;
  }

  /** A new empty disk, watched by the history, then wrapped as the wiring says. */
  private StorageEngine freshDisk(String id) {
    return wiring.engine(id, new ObservedEngine(new InMemoryStorageEngine(), id, history, log,
        queue::now, node -> nodes.containsKey(node) ? nodes.get(node).disk : null));
  }
}
