package io.ringkv.gossip;

import io.ringkv.ring.Ring;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What one node believes about the cluster, an immutable value that gossip spreads: the members,
 * the ring requests are served by, and an optional pending ring (a membership change whose data
 * is still moving) with the handovers already completed for it.
 *
 * <p>States are ordered by ({@link #version}, {@link #author}): every administrator's change and
 * every commit makes a new version, and gossip keeps the greater state ({@link #merge}). Two
 * states of one version and author are the same change and differ at most in {@link #done},
 * which merges by union. A commit is a function of the state alone (author ""), so nodes that
 * commit independently reach the same state.
 *
 * @param clusterName the configured cluster name
 * @param clusterId identifies one logical cluster: states of different clusters never merge
 * @param version bumped by every change and commit
 * @param author who made this version: "node/change" for an administrator's change, "" for a
 *     commit or a bootstrap
 * @param members every node ever a member, by id (removed ones stay, as tombstones)
 * @param ring the ring requests are served by
 * @param next the pending ring, or null when the cluster is settled
 * @param done handovers of the pending ring that are complete
 */
public record ClusterState(
    String clusterName,
    String clusterId,
    long version,
    String author,
    SortedMap<String, Member> members,
    Ring ring,
    Ring next,
    SortedSet<Handover> done) {

  public ClusterState {
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(ring, "ring");
    members = Collections.unmodifiableSortedMap(new TreeMap<>(members));
    done = Collections.unmodifiableSortedSet(new TreeSet<>(done));
    if (next == null && !done.isEmpty()) {
      throw new IllegalArgumentException("handovers done without a pending ring");
    }
  }

  /** A new cluster (version 1) of the given members, all normal, on a fresh ring. */
  public static ClusterState bootstrap(
      String clusterName, String clusterId, List<Member> members, int partitions, int n) {
    SortedMap<String, Member> byId = new TreeMap<>();
    SortedMap<String, Integer> weights = new TreeMap<>();
    for (Member m : members) {
      byId.put(m.id(), m.withState(Member.State.NORMAL));
      weights.put(m.id(), m.weight());
    }
    Ring ring = Ring.initial(partitions, n, weights);
    return new ClusterState(clusterName, clusterId, 1, "", byId, ring, null, new TreeSet<>());
  }

  /** No ring change is in progress. */
  public boolean settled() {
    return next == null;
  }

  /** The member record of a node, or null. */
  public Member member(String id) {
    return members.get(id);
  }

  /** The address of a node, or null if it was never a member. */
  public String address(String id) {
    Member m = members.get(id);
    return m == null ? null : m.address();
  }

  /** Members that are not removed: the nodes that gossip, serve or receive data. */
  public List<Member> live() {
    List<Member> out = new ArrayList<>();
    for (Member m : members.values()) {
      if (m.state() != Member.State.REMOVED) {
        out.add(m);
      }
    }
    return out;
  }

  /** The ring being moved to when a change is pending, else the ring. */
  public Ring target() {
    return next != null ? next : ring;
  }

  /** The first N of a partition's preference list in {@code r}. */
  public static List<String> homes(Ring r, int partition) {
    List<String> pref = r.preferenceList(partition);
    return pref.subList(0, Math.min(r.targetN(), pref.size()));
  }

  /**
   * Where a key's data lives: its home replicas in the ring, then, while a change is pending, its
   * new home replicas in the pending ring (each node once).
   */
  public List<String> holders(byte[] key) {
    List<String> homes = homes(ring, ring.partitionOf(key));
    if (next == null) {
      return homes;
    }
    List<String> all = new ArrayList<>(homes);
    for (String node : homes(next, next.partitionOf(key))) {
      if (!all.contains(node)) {
        all.add(node);
      }
    }
    return all;
  }

  /** Every handover the pending ring needs (empty when settled), by partition. */
  public SortedSet<Handover> needed() {
    SortedSet<Handover> out = new TreeSet<>();
    if (next == null) {
      return out;
    }
    for (int p = 0; p < ring.partitionCount(); p++) {
      List<String> before = homes(ring, p);
      for (String node : homes(next, p)) {
        if (!before.contains(node)) {
          out.add(new Handover(p, node));
        }
      }
    }
    return out;
  }

  /** The handovers still to do. */
  public SortedSet<Handover> remaining() {
    SortedSet<Handover> out = needed();
    out.removeAll(done);
    return out;
  }

  /**
   * Where a handover takes its data from: the partition's home replicas that the change displaces
   * (so each acknowledged write keeps as many copies as before), if any of them is live; else
   * every live home replica in the current ring (a removed node's data is rebuilt from the
   * others). Never the receiving node itself.
   */
  public List<String> sources(Handover h, Predicate<String> isLive) {
    List<String> before = homes(ring, h.partition());
    List<String> after = homes(target(), h.partition());
    List<String> displaced = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (String node : before) {
      if (node.equals(h.node()) || !isLive.test(node)) {
        continue;
      }
      (after.contains(node) ? others : displaced).add(node);
    }
    if (!displaced.isEmpty()) {
      return displaced;
    }
    return others;
  }

  /** The partitions that move and where from, for display (a dry run, a status). */
  public List<Move> moves() {
    List<Move> out = new ArrayList<>();
    for (Handover h : needed()) {
      List<String> before = homes(ring, h.partition());
      List<String> after = homes(target(), h.partition());
      List<String> from = new ArrayList<>();
      for (String node : before) {
        if (!after.contains(node)) {
          from.add(node);
        }
      }
      out.add(new Move(h.partition(), from.isEmpty() ? before : from, h.node(), done.contains(h)));
    }
    return out;
  }

  /** A partition's data moving to a new home replica; {@code from} are the nodes it leaves. */
  public record Move(int partition, List<String> from, String to, boolean done) {
    public Move {
      from = List.copyOf(from);
    }
  }

  /**
   * Whether this state wins over {@code o} in gossip: a greater version; at one version a commit
   * (author "") over a change, else the greater author. A change and a commit of one version were
   * both made on the same pending state (the change queued on top of it, the commit completing
   * it), concurrently on two nodes. The commit wins: nodes that already serve by the committed
   * ring, and after the forward grace dropped what it moved away, must not go back to the ring
   * before it. The change is lost, as one of two concurrent changes is ({@link Gossiper} warns
   * on the node that made it), and is made again on top of the commit.
   */
  public boolean orderedAfter(ClusterState o) {
    if (version != o.version) {
      return version > o.version;
    }
    if (author.isEmpty() != o.author.isEmpty()) {
      return author.isEmpty();
    }
    return author.compareTo(o.author) > 0;
  }

  /** Same change (version and author), so only {@link #done} may differ. */
  public boolean sameChange(ClusterState o) {
    return version == o.version && author.equals(o.author) && clusterId.equals(o.clusterId);
  }

  /**
   * The gossip merge: the greater state wins; for one change the completed handovers are united.
   * The result is committed if that completes the pending ring. Both states must belong to the
   * same cluster.
   */
  public ClusterState merge(ClusterState other) {
    if (!clusterId.equals(other.clusterId)) {
      throw new IllegalArgumentException(
          "cluster " + other.clusterId + " cannot merge into " + clusterId);
    }
    ClusterState winner;
    if (sameChange(other)) {
      if (done.containsAll(other.done)) {
        winner = this;
      } else {
        Set<Handover> union = new HashSet<>(done);
        union.addAll(other.done);
        winner = withDone(union);
      }
    } else {
      winner = other.orderedAfter(this) ? other : this;
    }
    return winner.commitIfComplete();
  }

  /** This state with more handovers completed (ignoring any the pending ring does not need). */
  public ClusterState withDone(Set<Handover> completed) {
    if (next == null) {
      return this;
    }
    SortedSet<Handover> d = new TreeSet<>(done);
    SortedSet<Handover> needed = needed();
    for (Handover h : completed) {
      if (needed.contains(h)) {
        d.add(h);
      }
    }
    if (d.equals(done)) {
      return this;
    }
    return new ClusterState(clusterName, clusterId, version, author, members, ring, next, d);
  }

  /**
   * The commit: when every handover of the pending ring is done, the pending ring becomes the
   * ring, joining members become normal and leaving ones removed.
   */
  public ClusterState commitIfComplete() {
    if (next == null || !done.containsAll(needed())) {
      return this;
    }
    return new ClusterState(clusterName, clusterId, version + 1, "", settle(members), next, null,
        new TreeSet<>());
  }

  /** Member states once the pending ring is the ring: joining become normal, leaving removed. */
  static SortedMap<String, Member> settle(Map<String, Member> members) {
    SortedMap<String, Member> m = new TreeMap<>();
    for (Member member : members.values()) {
      Member.State s = member.state();
      if (s == Member.State.JOINING) {
        s = Member.State.NORMAL;
      } else if (s == Member.State.LEAVING) {
        s = Member.State.REMOVED;
      }
      m.put(member.id(), member.withState(s));
    }
    return m;
  }

  /** Every node a request or a transfer may involve: members of the ring and the pending ring. */
  public List<String> involved() {
    SortedSet<String> out = new TreeSet<>(ring.nodes());
    if (next != null) {
      out.addAll(next.nodes());
    }
    return List.copyOf(out);
  }

  /** Share of partitions each node owns in the ring (0 for members owning none). */
  public Map<String, Double> shares() {
    Map<String, Double> out = new TreeMap<>();
    for (Member m : live()) {
      out.put(m.id(), 0.0);
    }
    double q = ring.partitionCount();
    for (String owner : ring.owners()) {
      out.merge(owner, 1 / q, Double::sum);
    }
    return out;
  }
}
