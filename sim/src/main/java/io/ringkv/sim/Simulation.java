package io.ringkv.sim;

import io.ringkv.server.coordinator.Coordinator.ReadResult;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * One simulated run, from a seed: start the cluster, run the clients while the fault plan plays,
 * then heal and check.
 *
 * <p>Healing means: stop the faults, restore the network, restart every crashed node (but one
 * gone for good), then run until the membership change (if any) is made and every member is
 * settled on one ring of exactly the members, every in-flight request has finished, every node
 * trusts every other again and hinted handoff has emptied every hint store (or a minute of
 * simulated time has passed, which is a
   * failure). Then the home replicas' data is kept aside for checker 8 (a write that only later
   * repairs bring back was lost by handoff or replication); then run until anti-entropy has
   * converged (every partition's home replicas hold hash trees with equal roots) and record what
   * the replicas hold: without any read, anti-entropy alone must have made them equal; then read
   * every key with r = N from a random coordinator, which repairs its home replicas, and let the
   * repairs land.
 */
public final class Simulation {

  /** How long the heal phase may take to drain requests, hand hints off and trust all nodes. */
  static final long HEAL_LIMIT_NANOS = 60_000_000_000L;

  /**
   * How often, on average, the heal phase checks whether the cluster has healed. Each wait is
   * drawn from half to one and a half times this: a fixed period in step with the failure
   * detector's probes (every 50 ms, say) could look only at instants when a probe is in flight,
   * and never see the cluster quiet (seed -2579184605534343 did).
   */
  private static final long POLL_NANOS = 50_000_000L;

  /**
   * How many times a healing get is tried before the run fails on liveness (a failed one is
   * tried again once the cluster is quiet).
   */
  private static final int HEAL_READ_ATTEMPTS = 3;

  /** How long one healing get may take. */
  private static final long HEAL_READ_NANOS = 10_000_000_000L;

  private Simulation() {}

  public static SimResult run(long seed, SimOptions options) {
    SplittableRandom root = new SplittableRandom(seed);
    Scenario scenario = Scenario.draw(seed, options, root.split());
    History history = new History();
    EventQueue queue = new EventQueue(e -> history.internalError("event", e));
    EventLog log = new EventLog(options.trace(), queue);
    SimNetwork network = new SimNetwork(queue, root.split(), log, scenario);
    SimCluster cluster = new SimCluster(
        scenario, queue, network, history, log, options.wiring(), root.split());
    FaultPlan plan = FaultPlan.draw(scenario, cluster.ids(), root.split());
    log.note("# ringkv simulation, " + scenario.describe());
    log.note("# fault plan:\n" + plan.describe().stripTrailing());
    if (plan.hasPowerLoss()) {
      cluster.trackUnsyncedWrites();
    }
    log.note("# storage: " + cluster.describeStorage());

    SplittableRandom admin = root.split();
    Scenario.Change first = scenario.change();
    Scenario.Change second = scenario.second();
    boolean[] changeMade = {first.kind() == Scenario.ChangeKind.NONE,
        second.kind() == Scenario.ChangeKind.NONE};
    log.note("# membership: " + first + second.asSecond());

    cluster.startAll();
    boolean[] faultsOn = {true};
    plan.schedule(queue, cluster, network, log, () -> faultsOn[0]);
    if (second.kind() == Scenario.ChangeKind.NONE) {
      scheduleChange(first, null, null, null, queue, cluster, history, log, admin, changeMade, 0);
    } else {
      // Split only in runs with a second change: runs with one change draw what they always did.
      SplittableRandom adminSecond = admin.split();
      String[] firstNode = new String[1];
      firstNode[0] = scheduleChange(first, null, null, () -> queue.after(second.atNanos(), null,
          () -> scheduleChange(second, first, firstNode[0], null, queue, cluster, history, log,
              adminSecond, changeMade, 1)), queue, cluster, history, log, admin, changeMade, 0);
    }
    for (int i = 1; i <= scenario.clients(); i++) {
      new SimClient("c" + i, scenario, queue, cluster, history, log, root.split())
          .start(scenario.workloadNanos());
    }
    queue.runUntil(scenario.workloadNanos());

    faultsOn[0] = false;
    network.heal();
    log.add(() -> "HEAL: faults stop, network restored, crashed nodes restart");
    for (String id : cluster.ids()) {
      cluster.restart(id);
    }
    long limit = queue.now() + HEAL_LIMIT_NANOS;
    SplittableRandom heal = root.split();
    List<String> unhealed =
        runUntilHealed(queue, cluster, network, history, heal, limit, changeMade);
    log.add(() -> "HEAL: " + (unhealed.isEmpty() ? "healed" : "not healed: " + unhealed));
      // What handoff alone left on the home replicas: anti-entropy and the healing reads below
      // repair them, which would hide a write that handoff lost (checker 8 looks at this).
      Map<String, Map<String, VersionedObject>> handedOff =
          unhealed.isEmpty() ? stored(scenario, cluster) : Map.of();
      List<String> diverged = runUntilAntiEntropyConverged(queue, cluster, network, history,
          queue.now() + HEAL_LIMIT_NANOS, changeMade);
      log.add(() -> "HEAL: " + (diverged.isEmpty() ? "anti-entropy converged"
          : "anti-entropy did not converge: " + diverged));
      Map<String, Map<String, VersionedObject>> beforeReads = stored(scenario, cluster);
      FinalState fin = healedState(scenario, queue, cluster, network, history, log, heal, limit,
          unhealed, handedOff, beforeReads, diverged, changeMade);

    List<String> failures = Checkers.run(scenario, history, fin);
    log.note(failures.isEmpty() ? "# PASSED" : "# FAILED:\n# " + String.join("\n# ", failures));
    return new SimResult(seed, scenario.describe(), List.copyOf(failures),
        history.requests() + scenario.keys().size(), queue.executed(), queue.now(),
        queue.fingerprint(), Counts.of(history, network, cluster), log.text());
  }

  /** Runs until the cluster is healed and quiet, or the limit; returns what is not healed. */
  private static List<String> runUntilHealed(EventQueue queue, SimCluster cluster,
      SimNetwork network, History history, SplittableRandom rng, long limit,
      boolean[] changeMade) {
    while (queue.now() < limit && !healed(cluster, network, history, changeMade).isEmpty()) {
      long wait = POLL_NANOS / 2 + rng.nextLong(POLL_NANOS);
      queue.runUntil(Math.min(limit, queue.now() + wait));
    }
    return healed(cluster, network, history, changeMade);
  }

  /**
   * Puts the administrator's membership change on the queue: a spare node joins through a random
   * live member; a random member leaves; or a random member crashes for good and, a little
   * later, is removed through another one. A change that needs a node that is down is tried
   * again later (in the heal phase too: an administrator's command is not a fault).
   *
   * <p>A second change ({@code after} is the first, made before this is called) is made on a
   * node that knows the first, so that it is queued on top of it (a change made on a node that
   * has not heard of the first would be a concurrent change, one of which loses); its node is
   * picked when it is due. Returns the node the change is about, once picked.
   *
   * @param made run once, when the change is first made
   * @param index which flag of {@code changeMade} is this change's
   */
  private static String scheduleChange(Scenario.Change change, Scenario.Change after,
      String afterNode, Runnable made, EventQueue queue, SimCluster cluster, History history,
      EventLog log, SplittableRandom rng, boolean[] changeMade, int index) {
    if (change.kind() == Scenario.ChangeKind.NONE) {
      return null;
    }
    List<String> members = cluster.members();
    String node = change.kind() == Scenario.ChangeKind.JOIN ? cluster.scenario.spare()
        : members.get(rng.nextInt(members.size()));
    Predicate<String> knowsFirst = by -> after == null
        || (cluster.node(by).up() && knows(after, afterNode, cluster.node(by).state()));
    Runnable[] attempt = new Runnable[1];
    boolean[] once = {false};
    attempt[0] = () -> {
      List<String> up = new ArrayList<>();
      for (String m : cluster.members()) {
        if (!m.equals(node) && cluster.node(m).up() && knowsFirst.test(m)) {
          up.add(m);
        }
      }
      boolean done;
      try {
        done = switch (change.kind()) {
          case JOIN -> !up.isEmpty() && cluster.join(node, up.get(rng.nextInt(up.size())));
          case LEAVE -> knowsFirst.test(node) && cluster.depart(node, node);
          case REMOVE -> !up.isEmpty() && cluster.depart(node, up.get(rng.nextInt(up.size())));
          case NONE -> true;
        };
      } catch (RuntimeException e) {
        history.internalError("membership change " + change.kind() + " of " + node, e);
        done = true;
      }
      if (done) {
        history.membershipChange();
        changeMade[index] = true;
        queue.after(change.retryNanos(), null, () -> confirm(change, node, queue, cluster, log,
            attempt[0], changeMade, index));
        if (!once[0]) {
          once[0] = true;
          if (made != null) {
            made.run();
          }
        }
      } else {
        log.add(() -> "ADMIN " + change.kind() + " of " + node + " must wait: a node is down"
            + (after == null ? "" : " or has not heard of the first change yet"));
        queue.after(change.retryNanos(), null, attempt[0]);
      }
    };
    if (change.kind() == Scenario.ChangeKind.REMOVE) {
      queue.after(change.atNanos(), null, () -> {
        history.membershipChange();
        cluster.crashForGood(node);
        queue.after(change.removeAfterNanos(), null, attempt[0]);
      });
    } else if (after == null) {
      queue.after(change.atNanos(), null, attempt[0]);
    } else {
      attempt[0].run();
    }
    return node;
  }

  /** Whether a node's cluster state {@code st} knows of {@code change} about {@code node}. */
  private static boolean knows(Scenario.Change change, String node,
      io.ringkv.gossip.ClusterState st) {
    io.ringkv.gossip.Member m = st == null ? null : st.member(node);
    return change.kind() == Scenario.ChangeKind.JOIN
        ? m != null && st.clusterId().equals(SimCluster.CLUSTER_ID)
        : m != null && m.state() != io.ringkv.gossip.Member.State.NORMAL
            && m.state() != io.ringkv.gossip.Member.State.JOINING;
  }

  /**
   * What still stands between the cluster and a healed, quiet state: client requests, messages
   * or node work (storage tasks, calls awaiting an outcome, probes included) under way, hints
   * not handed off, nodes that still suspect others. Empty when healed. The periodic timers of
   * the failure detector and handoff never stop, so "quiet" cannot mean an empty event queue.
   */
  private static List<String> healed(SimCluster cluster, SimNetwork network, History history,
      boolean[] changeMade) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < changeMade.length; i++) {
      if (!changeMade[i]) {
        out.add("membership change " + (i + 1) + " is not made yet");
      }
    }
    out.addAll(unsettled(cluster));
    if (network.inFlight() > 0) {
      out.add(network.inFlight() + " messages in flight");
    }
    if (cluster.busy()) {
      out.add("nodes still working");
    }
    for (GetOp g : history.gets) {
      if (!g.done) {
        out.add(g + " still running");
        break;
      }
    }
    for (PutOp p : history.puts) {
      if (p.outcome == PutOp.Outcome.PENDING) {
        out.add(p + " still running");
        break;
      }
    }
    List<String> all = new ArrayList<>();
    for (String id : cluster.ids()) {
      if (!cluster.node(id).gone) {
        all.add(id);
      }
    }
    for (SimNode n : cluster.nodes.values()) {
      if (n.gone) {
        continue;
      }
      if (Disks.holdsHints(n.disk)) {
        out.add(n.id + " still holds hints");
      }
      if (n.up() && !n.considersUp(all)) {
        out.add(n.id + " still suspects a node: " + n.detector.view());
      }
    }
    return out;
  }

  /**
   * The administrator checks that the change was not lost: a node that made it can lose its disk
   * before gossip spread it, and then no node knows of it. Like an administrator who sees it
   * missing from {@code ringkv admin status}, the simulation makes it again.
   */
  private static void confirm(Scenario.Change change, String node, EventQueue queue,
      SimCluster cluster, EventLog log, Runnable again, boolean[] changeMade, int index) {
    for (SimNode n : cluster.nodes.values()) {
      if (n.gone) {
        continue;
      }
      if (knows(change, node, n.state())) {
        if (!Simulation.unsettled(cluster).isEmpty()) {
          queue.after(change.retryNanos(), null,
              () -> confirm(change, node, queue, cluster, log, again, changeMade, index));
        }
        return;
      }
    }
    log.add(() -> "ADMIN " + change.kind() + " of " + node + " was lost (no node knows of it):"
        + " made again");
    changeMade[index] = false;
    again.run();
  }

  /**
   * Whether the members are settled on one ring: every member (the configured ones and a joined
   * spare, less those that left or were removed) is up, has no ring change pending, and routes
   * by the same ring, whose nodes are exactly the members. Empty when settled.
   */
  static List<String> unsettled(SimCluster cluster) {
    List<String> out = new ArrayList<>();
    List<String> members = cluster.members();
    io.ringkv.gossip.ClusterState first = null;
    for (String id : members) {
      SimNode n = cluster.node(id);
      if (!n.up()) {
        out.add(id + " is down");
        continue;
      }
      io.ringkv.gossip.ClusterState st = n.gossiper.state();
      if (!st.settled()) {
        out.add(id + " has a ring change pending (" + st.remaining().size() + " of "
            + st.needed().size() + " handovers to do)");
      } else if (!st.ring().nodes().equals(members)) {
        out.add(id + " routes by ring v" + st.ring().version() + " of " + st.ring().nodes()
            + ", not of the members " + members);
      } else if (first == null) {
        first = st;
      } else if (!first.ring().equals(st.ring())) {
        out.add(id + " routes by ring v" + st.ring().version() + ", another than v"
            + first.ring().version());
      }
    }
    return out;
  }

  /**
   * Runs until, for every partition, its home replicas hold built hash trees with equal roots and
   * the cluster is quiet, or the limit; returns the partitions that still differ.
   */
  private static List<String> runUntilAntiEntropyConverged(EventQueue queue, SimCluster cluster,
      SimNetwork network, History history, long limit, boolean[] changeMade) {
    while (queue.now() < limit && (!treesDiffer(cluster).isEmpty()
        || !healed(cluster, network, history, changeMade).isEmpty())) {
      queue.runUntil(Math.min(limit, queue.now() + POLL_NANOS));
    }
    return treesDiffer(cluster);
  }

  /** Partitions whose home replicas' trees are not all built and equal (by the members' ring). */
  private static List<String> treesDiffer(SimCluster cluster) {
    List<String> out = new ArrayList<>();
    io.ringkv.ring.Ring ring = cluster.ring();
    int n = cluster.scenario.settings().n();
    for (int p = 0; p < ring.partitionCount(); p++) {
      List<String> pref = ring.preferenceList(p);
      Long root = null;
      for (String node : pref.subList(0, Math.min(n, pref.size()))) {
        SimNode sn = cluster.node(node);
        var tree = sn.up() ? sn.antiEntropy.trees().ready(p) : null;
        if (tree == null) {
          out.add(p + " (no tree on " + node + ")");
          break;
        }
        if (root == null) {
          root = tree.root();
        } else if (root != tree.root()) {
          out.add(Integer.toString(p));
          break;
        }
      }
    }
    return out;
  }

  /** Per key, per home replica, what the replica's disk holds. */
  private static Map<String, Map<String, VersionedObject>> stored(Scenario s, SimCluster cluster) {
    Map<String, Map<String, VersionedObject>> stored = new TreeMap<>();
    io.ringkv.ring.Ring ring = cluster.ring();
    for (String key : s.keys()) {
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      Map<String, VersionedObject> replicas = new TreeMap<>();
      for (String node : cluster.home(ring, k)) {
        replicas.put(node, Disks.data(cluster.node(node).disk, k));
      }
      stored.put(key, replicas);
    }
    return stored;
  }

  /** Reads every key with r = N (repairing it), lets the repairs land, then looks at disks. */
  private static FinalState healedState(Scenario s, EventQueue queue, SimCluster cluster,
      SimNetwork network, History history, EventLog log, SplittableRandom rng, long limit,
      List<String> unhealed, Map<String, Map<String, VersionedObject>> handedOff,
      Map<String, Map<String, VersionedObject>> beforeReads, List<String> diverged,
      boolean[] changeMade) {
    Map<String, VersionedObject> merged = new TreeMap<>();
    Map<String, String> errors = new TreeMap<>();
    int n = s.settings().n();
    for (String key : s.keys()) {
      List<String> up = new ArrayList<>();
      for (String m : cluster.members()) {
        if (cluster.node(m).up()) {
          up.add(m);
        }
      }
      SimNode via = cluster.node(up.get(rng.nextInt(up.size())));
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      for (int attempt = 1; ; attempt++) {
        log.add(() -> "HEAL: get " + key + " r=" + n + " via " + via.id);
        CompletableFuture<ReadResult> read = via.coordinator.get(k, n);
        queue.runUntil(read::isDone, Math.max(limit, queue.now() + HEAL_READ_NANOS));
        if (read.isDone() && !read.isCompletedExceptionally()) {
          VersionedObject o = read.join().object();
          merged.put(key, o);
          log.add(() -> "HEAL: " + key + " is " + o);
          break;
        }
        String why = read.isDone()
            ? SimTransport.describe(read.handle((x, e) -> e).join()) : "no answer";
        log.add(() -> "HEAL: get " + key + " failed: " + why);
        if (attempt == HEAL_READ_ATTEMPTS) {
          errors.put(key, why + " (" + attempt + " attempts)");
          break;
        }
        // The healed network keeps its latency tail: a request and its reply both in the tail
        // can outlast a short replica deadline. Try again once the cluster is quiet again.
        runUntilHealed(queue, cluster, network, history, rng, queue.now() + HEAL_LIMIT_NANOS,
            changeMade);
      }
    }
    // Let the read repairs land.
    List<String> unsettled = runUntilHealed(queue, cluster, network, history, rng,
        queue.now() + HEAL_LIMIT_NANOS, changeMade);
    if (unhealed.isEmpty()) {
      unhealed = unsettled;
    }

    Map<String, Map<String, VersionedObject>> stored = stored(s, cluster);
    List<String> hints = new ArrayList<>();
    Map<String, io.ringkv.ring.Ring> rings = new TreeMap<>();
    for (SimNode node : cluster.nodes.values()) {
      if (!node.gone && Disks.holdsHints(node.disk)) {
        hints.add(node.id);
      }
    }
    // Checker 4 compares the rings the members gossiped (and route by).
    for (String m : cluster.members()) {
      rings.put(m, cluster.node(m).state().ring());
    }
    return new FinalState(merged, errors, stored, handedOff, beforeReads, diverged, hints, rings,
        unhealed);
  }
}
