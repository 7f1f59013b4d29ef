package io.ringkv.sim;

import io.ringkv.gossip.Changes;
import io.ringkv.gossip.ClusterState;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Handover;
import io.ringkv.gossip.Member;
import io.ringkv.ring.Ring;
import io.ringkv.server.antientropy.AntiEntropy;
import io.ringkv.server.antientropy.ExchangeResult;
import io.ringkv.server.coordinator.Coordinator;
import io.ringkv.server.handoff.HintedHandoff;
import io.ringkv.server.liveness.FailureDetector;
import io.ringkv.server.liveness.MonitoredDirectory;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.server.membership.StoredState;
import io.ringkv.server.replica.ReplicaDirectory;
import io.ringkv.server.transfer.Transfers;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.NodeIdentity;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * The nodes of a simulation and their lifecycle: start (wire a node's protocol objects over its
 * disk, as {@code RingKvNode} does in production), crash (end the life: every pending event of
 * the node is dropped, the disk survives, as a RocksDB WAL survives a process kill), power cut (a
 * crash that also loses what the disk had not synced, see {@link SimDisk}; the node comes back on
 * a new boot of its machine), disk loss (a fresh empty engine, so the node comes back as a new
 * actor) and restart.
 */
final class SimCluster {

  /** The id of the cluster the configured members form. */
  static final String CLUSTER_ID = "static-sim";
  /** Each node's object cache: a few dozen of the workload's objects. */
  static final long SIM_CACHE_BYTES = 16 * 1024;

  final Scenario scenario;
  final TreeMap<String, SimNode> nodes = new TreeMap<>();
  final SimTransport transport;
  private final EventQueue queue;
  private final History history;
  private final EventLog log;
  private final Wiring wiring;
  private final SplittableRandom identityRng;
  private final SplittableRandom storageRng;
  private final SplittableRandom gossipRng;
  /** Disks' flushes and power cuts: split off last, so the streams above draw what they did. */
  private final SplittableRandom diskRng;
  /** Set in runs with power cuts: draws each cut's surviving prefix. */
  private SplittableRandom cutRng;
  /** In runs with power cuts: one write in this many is followed by a memtable flush. */
  private int flushEvery;
  /** Whether nodes write data and hints with SYNC durability ({@code storage.sync-writes}). */
  private boolean syncWrites;
  private long powerCuts;
  /** The configured members: every node's seeds, and the members of the first cluster. */
  private final List<String> seeds = new ArrayList<>();
  private final List<String> departed = new ArrayList<>();
  /** Per "pending ring version/node", what the node's data held when it learned of the ring. */
  private final Map<String, Map<String, VersionedObject>> noted = new TreeMap<>();
  private final Map<String, Long> notedStep = new TreeMap<>();
  private String joined;
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
    this.gossipRng = rng.split();
    this.transport = new SimTransport(this, queue, network, history, log, wiring,
        scenario.settings().replicaTimeout().toNanos());
    int count = scenario.nodes() + (scenario.spare() != null ? 1 : 0);
    for (int i = 1; i <= count; i++) {
      String id = "n" + i;
      // Clocks disagree by up to +-5 s from the start, as unsynchronised machines do.
      long skew = scenario.faults() ? rng.nextLong(10_000_000_000L) - 5_000_000_000L : 0;
      SimClock clock = new SimClock(queue, skew, clockRng.nextLong(1L << 40));
      nodes.put(id, new SimNode(id, clock));
      if (i <= scenario.nodes()) {
        seeds.add(id);
      }
    }
    this.diskRng = rng.split();
    for (SimNode n : nodes.values()) {
      freshDisk(n);
    }
  }

  /**
   * Makes the disks remember their unsynced writes, so that a power cut can lose them, and draws
   * how often a memtable flush syncs them and whether nodes sync every write. Only runs whose
   * fault plan has a power cut call this: other runs draw nothing more.
   */
  void trackUnsyncedWrites() {
    // In a third of the runs no memtable ever fills: only SYNC writes sync the WAL.
    flushEvery = diskRng.nextInt(3) == 0 ? Integer.MAX_VALUE : 20 + diskRng.nextInt(2_000);
    syncWrites = diskRng.nextInt(5) == 0;
    history.syncWrites = syncWrites;
    cutRng = diskRng.split();
    for (SimNode n : nodes.values()) {
      n.media.track(diskRng.split(), flushEvery);
    }
  }

  /** The storage model of the run, for the event log's header. */
  String describeStorage() {
    return cutRng == null ? "no power cut: every write the page cache holds survives"
        : "storage.sync-writes " + syncWrites + "; the WAL is synced by SYNC writes"
            + (flushEvery == Integer.MAX_VALUE ? " only (no memtable flush)"
                : " and by a memtable flush after one write in " + flushEvery
                    + " (drawn per write)");
  }

  long powerCuts() {
    return powerCuts;
  }

  SimNode node(String id) {
    return nodes.get(id);
  }

  List<String> ids() {
    return new ArrayList<>(nodes.keySet());
  }

  /** The home replicas of {@code key} by {@code node}'s ring. */
  List<String> home(SimNode node, byte[] key) {
    return home(node.state().ring(), key);
  }

  /** The home replicas of {@code key} by {@code ring}. */
  List<String> home(Ring ring, byte[] key) {
    List<String> pref = ring.preferenceList(key);
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
   * {@code RingKvNode} wires them: the membership (a {@code Gossiper} over the cluster state on
   * the disk, or a new one: the configured members' cluster, or for the spare a cluster of its
   * own), failure detector probing the nodes of the ring and the pending ring, a monitored
   * directory feeding it every call's outcome, the coordinator routing by the gossiped ring and
   * skipping nodes it suspects, hinted handoff, anti-entropy (its trees built from the disk on
   * every start, as in production) and the data transfers of ring changes.
   */
  void start(SimNode node) {
    Life life = new Life(node.id, ++node.lives);
    String self = node.id;
    StorageEngine.Durability durability =
        syncWrites ? StorageEngine.Durability.SYNC : StorageEngine.Durability.BUFFERED;
    // The machine's boot id changes with each power cut (a process kill keeps it), as Linux's.
    NodeIdentity identity = NodeIdentity.loadOrCreate(node.disk, self, identityRng,
        wiring.bootId(self, "boot-" + node.powerCuts), durability);
    if (!node.actors.contains(identity.actor())) {
      node.actors.add(identity.actor());
    }
    // With an object cache, as in production; small, so that it keeps evicting and refilling.
    LocalReplica local = new LocalReplica(new VersionedStore(node.disk, durability, SIM_CACHE_BYTES),
        new HintStore(node.disk, durability, scenario.maxHintBytes()), storageExecutor(life),
        node.clock);
    StoredState stored = new StoredState(node.disk);
    ClusterState saved = stored.load();
    ClusterState initial = saved != null ? saved : bootstrap(self);
    if (saved == null) {
      stored.save(initial);
    }
    NodeScheduler scheduler = new NodeScheduler(queue, life);
    ReplicaDirectory peers = transport.directory(self, life);
    FailureDetector detector =
        new FailureDetector(self, node.clock, scheduler, scenario.detector());
    // The generation is the node's life number: distinct and growing per start, as production's
    // start time is.
    Gossiper gossiper = new Gossiper(self, initial, node.lives, seeds,
        transport.gossip(self, life), stored, scheduler, gossipRng.split(), scenario.gossip(),
        detector::success);
    detector.start(() -> gossiper.state().involved(), peer -> peers.peer(peer).ping());
    ReplicaDirectory monitored = new MonitoredDirectory(peers, detector);
    Coordinator coordinator =
        new Coordinator(
            self, identity, local, monitored, key -> gossiper.state().ring().preferenceList(key),
            detector::isUp, node.clock, scheduler, scenario.settings(),
            (peer, key) -> {
              readRepairs++;
              log.add(() -> self + " read repair of " + EventLog.utf8(key) + " on " + peer);
            });
    HintedHandoff handoff = new HintedHandoff(self, local, wiring.handoff(self, monitored),
        detector::isUp,
        member -> gossiper.state().involved().contains(member),
        // Where a key's data lives: its home replicas, and during a ring change its new ones.
        key -> gossiper.state().holders(key),
        scheduler, node.clock, scenario.handoff());
    handoff.start();
    VersionedStore store = local.store();
    // Anti-entropy's storage work runs on the same simulated disk, but in the background: the heal
    // phase's quiescence test leaves it out (it never stops; it cannot undo convergence).
    Executor background = backgroundExecutor(life);
    AntiEntropy antiEntropy = new AntiEntropy(self, store, background,
        () -> gossiper.state().ring(), detector::isUp, transport.antiEntropy(self, life),
        scheduler, node.clock, scenario.antiEntropy(), r -> {
          exchanges++;
          repairedKeys += r.keysRepaired();
          if (r.keysRepaired() > 0 || r.outcome() == ExchangeResult.Outcome.FAILED) {
            log.add(() -> self + " anti-entropy exchange of partition " + r.partition()
                + " with " + r.peer() + ": " + r.outcome() + " " + r.detail() + ", "
                + r.keysDiffering() + " keys differed, " + r.keysRepaired() + " repaired");
          }
        });
    antiEntropy.start();
    gossiper.addListener((before, after) -> {
      if (!after.ring().equals(before.ring())) {
        background.execute(antiEntropy::ringChanged);
      }
      transferWatch(self, before, after);
      if (!before.sameChange(after)) {
        log.add(() -> self + " MEMBERSHIP v" + after.version() + " (" + after.author() + "): "
            + (after.settled() ? "ring v" + after.ring().version() + " " + after.ring().nodes()
                : "pending ring v" + after.next().version() + " " + after.next().nodes() + ", "
                    + after.needed().size() + " handovers"));
      }
    });
    Transfers transfers = new Transfers(self, gossiper, local,
        wiring.fetch(self, transport.fetch(self, life)), monitored, detector::isUp, scheduler,
        node.clock, scenario.transfer());
    node.life = life;
    node.identity = identity;
    node.local = local;
    node.detector = detector;
    node.handoff = handoff;
    node.antiEntropy = antiEntropy;
    node.coordinator = coordinator;
    node.gossiper = gossiper;
    node.transfers = transfers;
    gossiper.start();
    transfers.start();
    log.add(() -> self + " STARTED life " + life.number + " as " + identity.actor() + ", ring v"
        + gossiper.state().ring().version() + " " + gossiper.state().ring().nodes());
  }

  /**
   * Checker 10's watch over data transfers. When a node learns of a pending ring, what its data
   * holds of every workload key is noted: a source serves only a ring change it knows of, and its
   * data only grows until the change commits, so a receiver that pulled a partition from it holds
   * at least that. When a node's handover (p, node) becomes done (marked by its transfers, or
   * committed with it), its data must descend what one of the partition's old home replicas held
   * when that replica learned of the change. Checked only when every old home replica (except one
   * gone for good) noted its data and has not lost its disk since; a finding goes to the history.
   */
  private void transferWatch(String self, ClusterState before, ClusterState after) {
    if (!after.settled() && (before.settled() || !before.next().equals(after.next()))) {
      Map<String, VersionedObject> held = new TreeMap<>();
      for (String key : scenario.keys()) {
        held.put(key, Disks.data(nodes.get(self).disk, key.getBytes(StandardCharsets.UTF_8)));
      }
      noted.put(after.next().version() + "/" + self, held);
      notedStep.put(after.next().version() + "/" + self, history.nextStep());
    }
    if (before.settled()) {
      return;
    }
    SortedSet<Handover> newly = new TreeSet<>();
    if (after.sameChange(before)) {
      newly.addAll(after.done());
      newly.removeAll(before.done());
    } else if (after.settled() && after.ring().equals(before.next())) {
      newly.addAll(before.remaining());
    }
    long version = before.next().version();
    for (Handover h : newly) {
      if (!h.node().equals(self)) {
        continue;
      }
      List<String> oldHomes = new ArrayList<>();
      boolean complete = true;
      for (String home : ClusterState.homes(before.ring(), h.partition())) {
        if (nodes.get(home).gone) {
          continue;
        }
        String id = version + "/" + home;
        Long step = notedStep.get(id);
        boolean lost = step == null;
        for (History.DiskLoss d : history.diskLosses) {
          lost |= d.node().equals(home) && step != null && d.step() > step;
        }
        for (History.PowerCut c : history.powerCuts) {
          // Its data may have shrunk since it noted it: a receiver may have pulled less.
          lost |= c.node().equals(home) && step != null && c.step() > step
              && !c.lostCopies().isEmpty();
        }
        complete &= !lost;
        oldHomes.add(home);
      }
      if (!complete || oldHomes.isEmpty()) {
        continue;
      }
      for (String key : scenario.keys()) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (before.ring().partitionOf(k) != h.partition()) {
          continue;
        }
        VersionedObject mine = Disks.data(nodes.get(self).disk, k);
        boolean covered = false;
        for (String home : oldHomes) {
          covered |= mine.context().descends(noted.get(version + "/" + home).get(key).context());
        }
        if (!covered) {
          String finding = "transfer incomplete: " + self + "'s handover of partition "
              + h.partition() + " for ring v" + version + " became done at "
              + EventLog.millis(queue.now()) + " ms while its data of key " + key + " was "
              + mine + ", which descends none of what its old home replicas " + oldHomes
              + " held when they learned of the change";
          history.incompleteTransfers.add(finding);
          log.add(() -> finding);
        }
      }
    }
  }

  /**
   * The state a node with an empty disk starts from, as {@code MembershipBoot} builds it: the
   * configured members' cluster (every member computes the same one), or, for the spare, a
   * cluster of its own that an administrator joins to the other.
   */
  private ClusterState bootstrap(String self) {
    if (self.equals(scenario.spare())) {
      return ClusterState.bootstrap("sim", "own-" + self,
          List.of(new Member(self, self, 1, Member.State.NORMAL)), scenario.partitions(),
          scenario.settings().n());
    }
    List<Member> members = new ArrayList<>();
    for (String id : seeds) {
      members.add(new Member(id, id, 1, Member.State.NORMAL));
    }
    return ClusterState.bootstrap("sim", CLUSTER_ID, members, scenario.partitions(),
        scenario.settings().n());
  }

  /**
   * The administrator joins the spare through {@code seed} ({@code ringkv admin join}: the seed
   * makes the change, the joining node adopts the seed's state). False if either is down.
   */
  boolean join(String spare, String seed) {
    SimNode joiner = nodes.get(spare);
    SimNode via = nodes.get(seed);
    if (!joiner.up() || !via.up()) {
      return false;
    }
    ClusterState s = via.gossiper.update(
        st -> Changes.join(st, new Member(spare, spare, 1, Member.State.NORMAL), seed));
    joiner.gossiper.adopt(s);
    joined = spare;
    log.add(() -> "ADMIN join " + spare + " through " + seed + ": pending ring v"
        + (s.settled() ? s.ring().version() : s.next().version()));
    return true;
  }

  /**
   * The administrator makes {@code node} leave ({@code by} = node) or removes it through {@code
   * by}. False if {@code by} is down.
   */
  boolean depart(String node, String by) {
    SimNode via = nodes.get(by);
    if (!via.up()) {
      return false;
    }
    ClusterState s = via.gossiper.update(st -> Changes.depart(st, node, by));
    departed.add(node);
    log.add(() -> "ADMIN " + (node.equals(by) ? "leave " + node : "remove " + node + " through "
        + by) + ": v" + s.version() + (s.settled() ? "" : ", pending ring v" + s.next().version()));
    return true;
  }

  /** The node crashes and never comes back (its data is lost with it, as a disk loss). */
  void crashForGood(String id) {
    SimNode node = nodes.get(id);
    crash(id);
    node.gone = true;
    history.diskLoss(id, queue.now());
    log.add(() -> id + " IS GONE FOR GOOD");
    lastCopies(scenario.keys());
  }

  /**
   * The nodes that should make up the cluster once every change is done: the configured members
   * and the spare once joined, less those that left or were removed.
   */
  List<String> members() {
    List<String> out = new ArrayList<>();
    for (String id : nodes.keySet()) {
      boolean member = seeds.contains(id) || id.equals(joined);
      if (member && !departed.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /** The nodes clients send requests to: the configured members and the spare once joined. */
  List<String> clientTargets() {
    List<String> out = new ArrayList<>(seeds);
    if (joined != null) {
      out.add(joined);
    }
    return out;
  }

  /** The ring of the cluster as the first member sees it (by its disk while it is down). */
  Ring ring() {
    return nodes.get(members().get(0)).state().ring();
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
    node.gossiper = null;
    node.transfers = null;
    log.add(() -> id + " CRASHED");
  }

  /** The node crashes and its disk is replaced by an empty one. */
  void loseDisk(String id) {
    SimNode node = nodes.get(id);
    if (node.gone || id.equals(scenario.spare())) {
      // The spare's cluster state is its membership: a lost one would make it a cluster of its
      // own again, which only an administrator can undo. Its process just crashes.
      crash(id);
      return;
    }
    crash(id);
    freshDisk(node);
    history.diskLoss(id, queue.now());
    log.add(() -> id + " LOST ITS DISK");
    lastCopies(scenario.keys());
  }

  /**
   * The machine loses power: the process dies (if it was running) and the disk loses the writes
   * it had not synced, all but a drawn prefix of them. The node comes back on what is left, on a
   * new boot of its machine. A node gone for good only crashes.
   */
  void losePower(String id) {
    SimNode node = nodes.get(id);
    if (node.gone || cutRng == null) {
      crash(id);
      return;
    }
    crash(id);
    Map<String, List<io.ringkv.version.VersionVector>> before = new TreeMap<>();
    for (String key : scenario.keys()) {
      before.put(key, Disks.contexts(node.disk, key.getBytes(StandardCharsets.UTF_8)));
    }
    SimDisk.Cut cut = node.media.powerCut(cutRng);
    node.observed.afterPowerCut();
    node.powerCuts++;
    powerCuts++;
    Map<String, java.util.Set<io.ringkv.version.Dot>> lostCopies = new TreeMap<>();
    for (String key : scenario.keys()) {
      List<io.ringkv.version.VersionVector> after =
          Disks.contexts(node.disk, key.getBytes(StandardCharsets.UTF_8));
      for (io.ringkv.version.Dot d : history.dotsOfKey(key)) {
        if (Disks.covers(before.get(key), d) && !Disks.covers(after, d)) {
          lostCopies.computeIfAbsent(key, k -> new java.util.TreeSet<>()).add(d);
        }
      }
    }
    history.powerCut(id, queue.now(), lostCopies);
    log.add(() -> id + " LOST POWER: " + cut.lost() + " of the " + cut.unsynced()
        + " writes since its disk's last sync (at " + EventLog.millis(cut.lastSyncNanos())
        + " ms) are lost" + (lostCopies.isEmpty() ? "" : "; its copies of " + lostCopies
            + " with them"));
    lastCopies(lostCopies.keySet());
  }

  /**
   * Notes, for checker 1, the writes that a power cut took a copy of and that no node's data or
   * hints (a node gone for good's aside) cover any more: every copy of them is lost. Called after
   * anything that can take the last copy: a power cut, a disk loss, and a deletion of data or
   * hints (a hint handed off, a partition dropped after a ring change: both rely on another
   * node's acknowledgement, which a later power cut there may have undone).
   */
  private void lastCopies(java.util.Collection<String> keys) {
    for (String key : keys) {
      java.util.Set<io.ringkv.version.Dot> risky = history.atRisk.get(key);
      if (risky == null || risky.isEmpty()) {
        continue;
      }
      List<List<io.ringkv.version.VersionVector>> everywhere = new ArrayList<>();
      for (SimNode n : nodes.values()) {
        if (!n.gone) {
          everywhere.add(Disks.contexts(n.disk, key.getBytes(StandardCharsets.UTF_8)));
        }
      }
      for (io.ringkv.version.Dot d : risky) {
        boolean somewhere = false;
        for (List<io.ringkv.version.VersionVector> c : everywhere) {
          somewhere |= Disks.covers(c, d);
        }
        if (!somewhere && history.goneAfterPowerCut.computeIfAbsent(key,
            k -> new java.util.TreeSet<>()).add(d)) {
          log.add(() -> "no node holds " + key + "'s write " + d + " any more (a power cut took"
              + " a copy of it): checker 1 no longer holds the cluster to it");
        }
      }
    }
  }

  void restart(String id) {
    SimNode node = nodes.get(id);
    if (!node.up() && !node.gone) {
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

  /**
   * Gives the node a new empty disk, watched by the history, then wrapped as the wiring says (in
   * runs with power cuts, remembering its unsynced writes).
   */
  private void freshDisk(SimNode n) {
    String id = n.id;
    SimDisk media = new SimDisk(queue::now);
    if (cutRng != null) {
      media.track(diskRng.split(), flushEvery);
    }
    ObservedEngine observed = new ObservedEngine(media, id, history, log,
        queue::now, node -> nodes.containsKey(node) ? nodes.get(node).disk : null,
        node -> nodes.containsKey(node) && nodes.get(node).up() ? nodes.get(node).gossiper.state()
            : null,
        this::lastCopies);
    n.media = media;
    n.observed = observed;
    n.disk = wiring.engine(id, observed);
  }
}
