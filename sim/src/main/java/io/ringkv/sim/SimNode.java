package io.ringkv.sim;

import io.ringkv.gossip.ClusterState;
import io.ringkv.gossip.Gossiper;
import io.ringkv.server.membership.StoredState;
import io.ringkv.server.transfer.Transfers;
import io.ringkv.server.antientropy.AntiEntropy;
import io.ringkv.server.coordinator.Coordinator;
import io.ringkv.server.handoff.HintedHandoff;
import io.ringkv.server.liveness.FailureDetector;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.storage.NodeIdentity;
import io.ringkv.storage.StorageEngine;
import io.ringkv.version.Actor;
import java.util.ArrayList;
import java.util.List;

/**
 * One simulated machine: a disk (a storage engine that outlives the process), a clock, and, while
 * the node is up, the objects of its current life, built by {@link SimCluster#start} exactly as
 * production wires them.
 */
final class SimNode {

  final String id;
  final SimClock clock;
  /** Every identity this node has had, oldest first (a new one after each disk loss). */
  final List<Actor> actors = new ArrayList<>();
  StorageEngine disk;
  /** The disk under the wiring and the simulator's watch: what a power cut acts on. */
  SimDisk media;
  /** The simulator's watch over the disk. */
  ObservedEngine observed;
  /** How many times the machine lost power (its boot count, as far as the node can tell). */
  int powerCuts;
  int lives;
  /** The current life; null while the node is down. */
  Life life;
  NodeIdentity identity;
  LocalReplica local;
  Coordinator coordinator;
  FailureDetector detector;
  HintedHandoff handoff;
  AntiEntropy antiEntropy;
  Gossiper gossiper;
  Transfers transfers;
  /** Crashed for good (and removed, or about to be): never restarted. */
  boolean gone;

  SimNode(String id, SimClock clock) {
    this.id = id;
    this.clock = clock;
  }

  boolean up() {
    return life != null;
  }

  /** The cluster state this node holds: its gossiper's, or the one on its disk while down. */
  ClusterState state() {
    return up() ? gossiper.state() : new StoredState(disk).load();
  }

  /**
   * The identity that made a write acknowledged with {@code vector}: the newest of this node's
   * actors that the vector mentions (a write's actor is the node's newest at the time, and every
   * actor in the vector existed before the write).
   */
  Actor newestActorIn(io.ringkv.version.VersionVector vector) {
    for (int i = actors.size() - 1; i >= 0; i--) {
      if (vector.counter(actors.get(i)) > 0) {
        return actors.get(i);
      }
    }
    return null;
  }

  /**
   * Whether this node's failure detector counts on every one of {@code nodes} now (so a request
   * it coordinates now targets exactly the home replicas). Reads the detector's view, which,
   * unlike {@code isUp}, changes nothing in it; a node it never heard of counts as up, as there.
   */
  boolean considersUp(List<String> nodes) {
    var view = detector.view();
    for (String n : nodes) {
      var v = view.get(n);
      if (!n.equals(id) && v != null && !v.up()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return id + (up() ? " (up, life " + life.number + ")" : " (down)");
  }
}
