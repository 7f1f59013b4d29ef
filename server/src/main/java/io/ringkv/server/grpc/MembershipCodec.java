package io.ringkv.server.grpc;

import io.ringkv.gossip.ClusterState;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Handover;
import io.ringkv.gossip.Member;
import io.ringkv.internal.v1.ClusterStateMessage;
import io.ringkv.internal.v1.GossipMessage;
import io.ringkv.internal.v1.HandoverState;
import io.ringkv.internal.v1.HeartbeatState;
import io.ringkv.internal.v1.MemberState;
import io.ringkv.internal.v1.RingState;
import io.ringkv.ring.Ring;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Membership values to and from their protobuf form, for gossip and for the copy each node keeps
 * on disk. Decoding checks what the records check: a malformed state is an
 * IllegalArgumentException, never a half-built value.
 */
public final class MembershipCodec {

  private MembershipCodec() {}

  public static ClusterStateMessage encode(ClusterState s) {
    ClusterStateMessage.Builder b = ClusterStateMessage.newBuilder()
        .setClusterName(s.clusterName())
        .setClusterId(s.clusterId())
        .setVersion(s.version())
        .setAuthor(s.author())
        .setRing(encode(s.ring()));
    for (Member m : s.members().values()) {
      b.addMembers(encode(m));
    }
    if (s.next() != null) {
      b.setNext(encode(s.next()));
    }
    for (Handover h : s.done()) {
      b.addDone(HandoverState.newBuilder().setPartition(h.partition()).setNode(h.node()));
    }
    return b.build();
  }

  public static ClusterState decode(ClusterStateMessage m) {
    SortedMap<String, Member> members = new TreeMap<>();
    for (MemberState ms : m.getMembersList()) {
      Member member = decode(ms);
      members.put(member.id(), member);
    }
    TreeSet<Handover> done = new TreeSet<>();
    for (HandoverState h : m.getDoneList()) {
      done.add(new Handover(h.getPartition(), h.getNode()));
    }
    if (!m.hasRing()) {
      throw new IllegalArgumentException("cluster state without a ring");
    }
    return new ClusterState(m.getClusterName(), m.getClusterId(), m.getVersion(), m.getAuthor(),
        members, decode(m.getRing()), m.hasNext() ? decode(m.getNext()) : null, done);
  }

  public static MemberState encode(Member m) {
    return MemberState.newBuilder().setId(m.id()).setAddress(m.address())
        .setWeight(m.weight()).setState(m.state().label()).build();
  }

  public static Member decode(MemberState m) {
    Member.State state;
    try {
      state = Member.State.valueOf(m.getState().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("member " + m.getId() + ": unknown state '"
          + m.getState() + "'");
    }
    return new Member(m.getId(), m.getAddress(), m.getWeight(), state);
  }

  public static RingState encode(Ring r) {
    RingState.Builder b = RingState.newBuilder().setVersion(r.version())
        .setTargetN(r.targetN());
    List<String> nodes = r.nodes();
    for (String node : nodes) {
      b.addNodes(node);
      b.addWeights(r.weight(node));
    }
    for (String owner : r.owners()) {
      b.addOwners(nodes.indexOf(owner));
    }
    return b.build();
  }

  public static Ring decode(RingState r) {
    if (r.getNodesCount() != r.getWeightsCount()) {
      throw new IllegalArgumentException("ring: " + r.getNodesCount() + " nodes but "
          + r.getWeightsCount() + " weights");
    }
    Map<String, Integer> weights = new TreeMap<>();
    for (int i = 0; i < r.getNodesCount(); i++) {
      weights.put(r.getNodes(i), r.getWeights(i));
    }
    List<String> owners = new ArrayList<>(r.getOwnersCount());
    for (int index : r.getOwnersList()) {
      if (index < 0 || index >= r.getNodesCount()) {
        throw new IllegalArgumentException("ring: owner index " + index + " out of range");
      }
      owners.add(r.getNodes(index));
    }
    return Ring.restore(r.getVersion(), r.getTargetN(), weights, owners);
  }

  public static GossipMessage encode(Gossiper.Digest d) {
    GossipMessage.Builder b = GossipMessage.newBuilder().setState(encode(d.state()));
    new TreeMap<>(d.heartbeats()).forEach((node, hb) -> b.addHeartbeats(
        HeartbeatState.newBuilder().setNode(node).setGeneration(hb.generation())
            .setBeat(hb.beat())));
    return b.build();
  }

  public static Gossiper.Digest decode(GossipMessage m) {
    Map<String, Gossiper.Heartbeat> beats = new TreeMap<>();
    for (HeartbeatState h : m.getHeartbeatsList()) {
      beats.put(h.getNode(),
          new Gossiper.Heartbeat(h.getGeneration(), h.getBeat(), h.getRingVersion()));
    }
    return new Gossiper.Digest(decode(m.getState()), beats);
  }
}
