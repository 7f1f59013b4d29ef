package io.ringkv.gossip;

import io.ringkv.gossip.MembershipException.Reason;
import io.ringkv.ring.BalancedClaim;
import io.ringkv.ring.Ring;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The administrator's membership changes, as pure functions from one {@link ClusterState} to the
 * next. A change made while another is pending is made on top of the pending ring (its completed
 * handovers stay done where still needed), so changes queue up instead of being refused.
 */
public final class Changes {

  private Changes() {}

  /** {@code node} joins with the given address and weight. */
  public static ClusterState join(ClusterState s, Member node, String by) {
    Member existing = s.member(node.id());
    if (existing != null && existing.state() != Member.State.REMOVED) {
      if (existing.address().equals(node.address())) {
        throw new MembershipException(Reason.ALREADY,
            node.id() + " is already a member (" + existing.state().label() + ")");
      }
      throw new MembershipException(Reason.REFUSED, "node id " + node.id()
          + " is already a member at " + existing.address() + ", not " + node.address());
    }
    for (Member m : s.live()) {
      if (m.address().equals(node.address())) {
        throw new MembershipException(Reason.REFUSED,
            "address " + node.address() + " already belongs to member " + m.id());
      }
    }
    Ring base = s.target();
    SortedMap<String, Integer> weights = new TreeMap<>(base.weights());
    weights.put(node.id(), node.weight());
    SortedMap<String, Member> members = new TreeMap<>(s.members());
    members.put(node.id(), node.withState(Member.State.JOINING));
    return changed(s, by + "/join " + node.id(), members,
        base.withMembers(weights, BalancedClaim.INSTANCE));
  }

  /**
   * {@code nodeId} leaves the ring (a graceful leave and a removal of a dead node change the ring
   * the same way; they differ in where the data comes from, see {@link ClusterState#sources}). A
   * node that is still joining is simply dropped from the pending ring.
   */
  public static ClusterState depart(ClusterState s, String nodeId, String by) {
    Member m = s.member(nodeId);
    if (m == null) {
      throw new MembershipException(Reason.INVALID, "no member " + nodeId + " (members: "
          + s.members().keySet() + ")");
    }
    if (m.state() == Member.State.REMOVED || m.state() == Member.State.LEAVING) {
      throw new MembershipException(Reason.ALREADY, nodeId + " is already " + m.state().label());
    }
    Ring base = s.target();
    SortedMap<String, Integer> weights = new TreeMap<>(base.weights());
    weights.remove(nodeId);
    if (weights.isEmpty()) {
      throw new MembershipException(Reason.REFUSED,
          nodeId + " is the last member: a cluster cannot be left empty");
    }
    SortedMap<String, Member> members = new TreeMap<>(s.members());
    boolean inRing = s.ring().nodes().contains(nodeId);
    members.put(nodeId, m.withState(inRing ? Member.State.LEAVING : Member.State.REMOVED));
    return changed(s, by + "/depart " + nodeId, members,
        base.withMembers(weights, BalancedClaim.INSTANCE));
  }

  /** A member now reachable at another address (e.g. restarted on another port). */
  public static ClusterState readdress(ClusterState s, String nodeId, String address, String by) {
    Member m = s.member(nodeId);
    if (m == null) {
      throw new MembershipException(Reason.INVALID, "no member " + nodeId);
    }
    SortedMap<String, Member> members = new TreeMap<>(s.members());
    members.put(nodeId, new Member(nodeId, address, m.weight(), m.state()));
    return new ClusterState(s.clusterName(), s.clusterId(), s.version() + 1,
        by + "/address " + nodeId, members, s.ring(), s.next(), s.done());
  }

  private static ClusterState changed(
      ClusterState s, String author, SortedMap<String, Member> members, Ring next) {
    // Back to the members of the ring in effect (a join cancelled before it completed): keep
    // that ring rather than a re-claimed copy of it, so nothing moves.
    boolean same = next.weights().equals(s.ring().weights());
    if (same) {
      // Nothing moves (e.g. a joining node dropped again): settle the member states at once.
      return new ClusterState(s.clusterName(), s.clusterId(), s.version() + 1, author,
          ClusterState.settle(members), s.ring(), null, new TreeSet<>());
    }
    ClusterState out = new ClusterState(s.clusterName(), s.clusterId(), s.version() + 1, author,
        members, s.ring(), next, new TreeSet<>());
    return out.withDone(s.done()).commitIfComplete();
  }

}
