package io.ringkv.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.ring.Ring;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Laws of the cluster state, over random sequences of joins and departures (seeded, printed):
 * the handovers a pending ring needs are exactly the new home replicas of each partition; the
 * gossip merge is commutative and idempotent; a commit happens exactly when every handover is
 * done and is the same wherever it happens; a change queued on a pending one keeps the
 * handovers already done that are still needed.
 */
class ClusterStateTest {

  private static Member m(String id) {
    return new Member(id, id + ":7070", 1, Member.State.NORMAL);
  }

  private static ClusterState three() {
    return ClusterState.bootstrap("c", "id", List.of(m("a"), m("b"), m("c")), 32, 3);
  }

  @Test
  void lawsHoldOverRandomChangeSequences() {
    long seed = Long.getLong("ringkv.seed", System.nanoTime());
    System.out.println("ClusterStateTest seed=" + seed + " (replay with -Dringkv.seed=" + seed
        + ")");
    Random random = new Random(seed);
    for (int run = 0; run < 50; run++) {
      ClusterState s = three();
      int next = 0;
      for (int step = 0; step < 8; step++) {
        List<String> live = new ArrayList<>();
        for (Member member : s.live()) {
          if (member.state() != Member.State.LEAVING) {
            live.add(member.id());
          }
        }
        ClusterState before = s;
        if (random.nextBoolean() || live.size() <= 2) {
          String id = "j" + next++;
          s = Changes.join(s, new Member(id, id + ":7070", 1, Member.State.JOINING), "x");
        } else {
          s = Changes.depart(s, live.get(random.nextInt(live.size())), "x");
        }
        assertThat(s.version()).isGreaterThan(before.version());
        checkNeeded(s);
        // Some handovers complete, on a copy; merging either way gives one state.
        Set<Handover> some = new HashSet<>();
        for (Handover h : s.needed()) {
          if (random.nextInt(3) == 0) {
            some.add(h);
          }
        }
        ClusterState a = s.withDone(some);
        Set<Handover> others = new HashSet<>();
        for (Handover h : s.needed()) {
          if (random.nextInt(3) == 0) {
            others.add(h);
          }
        }
        ClusterState b = s.withDone(others);
        assertThat(a.merge(b)).isEqualTo(b.merge(a));
        assertThat(a.merge(a)).isEqualTo(a.commitIfComplete());
        assertThat(before.merge(a)).isEqualTo(a.merge(before)).isEqualTo(a.commitIfComplete());
        s = a.merge(b);
        if (random.nextInt(3) == 0 && !s.settled()) {
          ClusterState done = s.withDone(s.needed());
          assertThat(done.settled()).as("withDone alone does not commit").isFalse();
          ClusterState committed = done.commitIfComplete();
          assertThat(committed.settled()).isTrue();
          assertThat(committed.ring()).isEqualTo(s.next());
          assertThat(committed).isEqualTo(s.withDone(s.needed()).commitIfComplete());
          for (Member member : committed.members().values()) {
            boolean inRing = committed.ring().nodes().contains(member.id());
            assertThat(member.state())
                .isEqualTo(inRing ? Member.State.NORMAL : Member.State.REMOVED);
          }
          s = committed;
        }
      }
    }
  }

  /** needed() is exactly (p, node) with node a home replica of p in next but not in ring. */
  private static void checkNeeded(ClusterState s) {
    if (s.settled()) {
      assertThat(s.needed()).isEmpty();
      return;
    }
    Set<Handover> expected = new HashSet<>();
    Ring ring = s.ring();
    for (int p = 0; p < ring.partitionCount(); p++) {
      for (String node : ClusterState.homes(s.next(), p)) {
        if (!ClusterState.homes(ring, p).contains(node)) {
          expected.add(new Handover(p, node));
        }
      }
    }
    assertThat(s.needed()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(s.done()).isSubsetOf(s.needed());
    for (Handover h : s.needed()) {
      List<String> sources = s.sources(h, node -> true);
      assertThat(sources).isNotEmpty().doesNotContain(h.node());
      assertThat(ClusterState.homes(ring, h.partition())).containsAll(sources);
    }
  }

  /**
   * Seen in the simulator's event log of seed 48 once it made two membership changes: n5 left
   * on top of a pending join while other nodes committed the join, both at one version; the
   * leave won and rolled every node that had committed back to the ring before the join.
   */
  @Test
  void aCommitWinsOverAChangeMadeConcurrentlyOnItsPendingRing() {
    ClusterState joining = Changes.join(three(), new Member("d", "d:7070", 1,
        Member.State.JOINING), "a");
    ClusterState committed = joining.withDone(joining.needed()).commitIfComplete();
    ClusterState leaving = Changes.depart(joining, "b", "b");
    assertThat(committed.version()).isEqualTo(leaving.version());
    assertThat(committed.merge(leaving)).isEqualTo(committed);
    assertThat(leaving.merge(committed)).isEqualTo(committed);
    assertThat(committed.ring().nodes()).containsExactly("a", "b", "c", "d");
    // Made again on top of the commit, the leave wins.
    ClusterState again = Changes.depart(committed, "b", "b");
    assertThat(committed.merge(again)).isEqualTo(again);
    assertThat(again.ring()).isEqualTo(committed.ring());
  }

  @Test
  void aChangeOnAPendingOneKeepsTheHandoversStillNeeded() {
    ClusterState joined = Changes.join(three(), new Member("d", "d:7070", 1,
        Member.State.JOINING), "a");
    List<Handover> all = new ArrayList<>(joined.needed());
    ClusterState half = joined.withDone(Set.copyOf(all.subList(0, all.size() / 2)));
    ClusterState second = Changes.join(half, new Member("e", "e:7070", 1,
        Member.State.JOINING), "b");
    for (Handover h : half.done()) {
      assertThat(second.done().contains(h)).isEqualTo(second.needed().contains(h));
    }
    assertThat(second.ring()).isEqualTo(half.ring());
    assertThat(second.next().nodes()).containsExactly("a", "b", "c", "d", "e");
  }

  @Test
  void refusedChangesChangeNothingAndSayWhy() {
    ClusterState s = three();
    assertThatThrownBy(() -> Changes.join(s, m("a"), "x"))
        .isInstanceOf(MembershipException.class).hasMessageContaining("already a member");
    assertThatThrownBy(() -> Changes.join(s, new Member("z", "a:7070", 1, Member.State.JOINING),
        "x")).hasMessageContaining("already belongs to member a");
    assertThatThrownBy(() -> Changes.depart(s, "nope", "x"))
        .hasMessageContaining("no member nope");
    ClusterState one = ClusterState.bootstrap("c", "id", List.of(m("a")), 32, 3);
    assertThatThrownBy(() -> Changes.depart(one, "a", "x"))
        .hasMessageContaining("last member");
  }

  @Test
  void statesOfAnotherClusterNeverMerge() {
    ClusterState other = ClusterState.bootstrap("c", "other", List.of(m("a")), 32, 3);
    assertThatThrownBy(() -> three().merge(other)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aJoiningNodeDroppedAgainSettlesAtOnce() {
    ClusterState joined = Changes.join(three(), new Member("d", "d:7070", 1,
        Member.State.JOINING), "a");
    ClusterState dropped = Changes.depart(joined, "d", "a");
    assertThat(dropped.settled()).isTrue();
    assertThat(dropped.member("d").state()).isEqualTo(Member.State.REMOVED);
    assertThat(dropped.ring()).isEqualTo(three().ring());
  }
}
