package io.ringkv.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.env.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gossip convergence with the real {@link Gossiper}s of 5 to 9 nodes on a virtual clock and an
 * in-memory network: after each membership change every node agrees on the same state within a
 * bounded number of rounds, also while one node is paused (unreachable, not gossiping) and then
 * resumed. Seeded; the seed is printed.
 */
class GossipConvergenceTest {

  /** A virtual clock and event queue: one thread, replayable. */
  static final class VirtualScheduler implements Scheduler {
    private record Event(long at, long seq, Runnable task) {}

    private final PriorityQueue<Event> queue = new PriorityQueue<>(
        (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      Event e = new Event(now + delay.toMillis(), seq++, task);
      queue.add(e);
      return () -> queue.remove(e);
    }

    @Override
    public void execute(Runnable task) {
      schedule(Duration.ZERO, task);
    }

    void runUntil(long until) {
      while (!queue.isEmpty() && queue.peek().at <= until) {
        Event e = queue.poll();
        now = e.at;
        e.task.run();
      }
      now = until;
    }
  }

  private final VirtualScheduler scheduler = new VirtualScheduler();
  private final Map<String, Gossiper> nodes = new LinkedHashMap<>();
  private final Set<String> paused = new HashSet<>();
  private Random random;

  private static String addr(String id) {
    return id + ":7070";
  }

  private Gossiper node(String id, ClusterState initial) {
    Gossiper g = new Gossiper(id, initial, 1, List.of(addr("n1"), addr("n2")),
        (address, digest) -> send(id, address, digest),
        s -> {}, scheduler, new Random(random.nextLong()),
        new Gossiper.Settings(Duration.ofSeconds(1), 5), heard -> {});
    nodes.put(id, g);
    g.start();
    return g;
  }

  /** A paused node neither sends nor answers (SIGSTOP). */
  private CompletableFuture<Gossiper.Digest> send(
      String from, String address, Gossiper.Digest digest) {
    String id = address.substring(0, address.indexOf(':'));
    Gossiper to = nodes.get(id);
    if (to == null || paused.contains(id) || paused.contains(from)) {
      return CompletableFuture.failedFuture(new IllegalStateException("unreachable " + id));
    }
    try {
      return CompletableFuture.completedFuture(to.receive(digest));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Rounds (seconds) until every running member holds the same state, or -1. */
  private int roundsToAgree(int maxRounds) {
    for (int round = 1; round <= maxRounds; round++) {
      scheduler.runUntil(scheduler.now + 1000);
      if (agree()) {
        return round;
      }
    }
    return -1;
  }

  private boolean agree() {
    ClusterState first = null;
    for (Map.Entry<String, Gossiper> e : nodes.entrySet()) {
      if (paused.contains(e.getKey())) {
        continue;
      }
      ClusterState s = e.getValue().state();
      if (s.member(e.getKey()) != null && s.member(e.getKey()).state() == Member.State.REMOVED) {
        continue;
      }
      if (first == null) {
        first = s;
      } else if (!first.equals(s)) {
        return false;
      }
    }
    return true;
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 7, 9})
  void everyChangeReachesEveryNodeWithinBoundedRounds(int size) {
    long seed = Long.getLong("ringkv.seed", System.nanoTime());
    System.out.println("GossipConvergenceTest size=" + size + " seed=" + seed
        + " (replay with -Dringkv.seed=" + seed + ")");
    random = new Random(seed);
    int bound = 4 * (32 - Integer.numberOfLeadingZeros(size)) + 10; // O(log n) rounds
    List<Member> members = new ArrayList<>();
    for (int i = 1; i <= size - 1; i++) {
      members.add(new Member("n" + i, addr("n" + i), 1, Member.State.NORMAL));
    }
    ClusterState boot = ClusterState.bootstrap("c", "id-1", members, 64, 3);
    for (Member m : members) {
      node(m.id(), boot);
    }
    assertThat(roundsToAgree(bound)).isPositive();

    // A join through n1: the new node adopts n1's answer, the change spreads.
    String joiner = "n" + size;
    Gossiper fresh = node(joiner, ClusterState.bootstrap("c", "id-" + joiner,
        List.of(new Member(joiner, addr(joiner), 1, Member.State.NORMAL)), 64, 3));
    ClusterState joined = nodes.get("n1").update(
        s -> Changes.join(s, new Member(joiner, addr(joiner), 1, Member.State.JOINING), "n1"));
    fresh.adopt(joined);
    int rounds = roundsToAgree(bound);
    System.out.println("  join of " + joiner + " agreed after " + rounds + " rounds");
    assertThat(rounds).isPositive();
    assertThat(nodes.get("n2").state().next()).isNotNull();

    // Handovers complete on their receivers, one mark each; everyone commits the same ring.
    paused.add("n3");
    for (Handover h : nodes.get(joiner).state().needed()) {
      Gossiper receiver = nodes.get(h.node());
      if (!paused.contains(h.node())) {
        receiver.update(s -> s.withDone(Set.of(h)).commitIfComplete());
      }
    }
    rounds = roundsToAgree(bound);
    System.out.println("  handover marks (n3 paused) agreed after " + rounds + " rounds");
    assertThat(rounds).isPositive();
    paused.remove("n3");
    for (Handover h : nodes.get("n3").state().remaining()) {
      nodes.get(h.node()).update(s -> s.withDone(Set.of(h)).commitIfComplete());
    }
    rounds = roundsToAgree(bound);
    System.out.println("  after n3 resumed: agreed after " + rounds + " rounds");
    assertThat(rounds).isPositive();
    ClusterState settled = nodes.get("n1").state();
    assertThat(settled.settled()).isTrue();
    assertThat(settled.ring().nodes()).contains(joiner);
    assertThat(settled.member(joiner).state()).isEqualTo(Member.State.NORMAL);

    // A leave decided at n2 while n4 is paused.
    paused.add("n4");
    nodes.get("n2").update(s -> Changes.depart(s, "n2", "n2"));
    rounds = roundsToAgree(bound);
    assertThat(rounds).isPositive();
    paused.remove("n4");
    rounds = roundsToAgree(bound);
    System.out.println("  leave of n2 agreed by all (n4 resumed) after " + rounds + " rounds");
    assertThat(rounds).isPositive();
    assertThat(nodes.get("n4").state().member("n2").state()).isEqualTo(Member.State.LEAVING);
  }
}
