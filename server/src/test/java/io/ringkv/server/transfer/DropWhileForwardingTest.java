package io.ringkv.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.gossip.Changes;
import io.ringkv.gossip.ClusterState;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Member;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.server.replica.Peer;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.InMemoryStorageEngine;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.Actor;
import io.ringkv.version.VersionVector;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A leaving replica forwards each write of a moving partition to the partition's new home
 * replica, and a coordinator still on the old ring counts the leaving replica's acknowledgement
 * toward W. So the leaving replica must keep its copy until the forward is acknowledged, even
 * when the ring change commits and the forward grace ends meanwhile (the simulator's seed 720052
 * with 5 nodes: n3 dropped f1's partition 157 ms after the commit while its forward to n5 was
 * still on the wire, and the w=3 put it had acknowledged was answered with two copies). Node n1
 * of four leaves; its transfers and storage are the real ones, its peers answer as the test says,
 * and the test drives time.
 */
class DropWhileForwardingTest {

  private static final Duration GRACE = Duration.ofMillis(100);
  private static final Duration RETRY = Duration.ofMillis(50);

  /** How a peer answers a merge. */
  private enum Mode { ANSWER, HOLD, FAIL }

  private final FakeTime time = new FakeTime();
  private final InMemoryStorageEngine engine = new InMemoryStorageEngine();
  private final Map<String, Mode> modes = new HashMap<>();
  /** Merges the peers have not answered yet, by node: the test completes them. */
  private final Map<String, List<CompletableFuture<Void>>> held = new HashMap<>();
  /** Keys each peer was sent a merge of. */
  private final Map<String, List<String>> merged = new HashMap<>();
  private Gossiper gossiper;
  private LocalReplica local;

  /** Node n1 of n1..n4, with a hint store of {@code hintBytes}. */
  private void start(long hintBytes) {
    local = new LocalReplica(new VersionedStore(engine, StorageEngine.Durability.BUFFERED),
        new HintStore(engine, StorageEngine.Durability.BUFFERED, hintBytes), Runnable::run, time);
    List<Member> members = new ArrayList<>();
    for (String id : List.of("n1", "n2", "n3", "n4")) {
      members.add(new Member(id, id + ":1", 1, Member.State.NORMAL));
    }
    gossiper = new Gossiper("n1", ClusterState.bootstrap("c", "c-id", members, 8, 3), 1,
        List.of(),
        (address, digest) -> CompletableFuture.failedFuture(new IllegalStateException("no net")),
        state -> { }, time, new SplittableRandom(1), new Gossiper.Settings(Duration.ofHours(1), 5),
        node -> { });
    new Transfers("n1", gossiper, local,
        (node, partition, after, max, version) ->
            CompletableFuture.failedFuture(KvException.unavailable("no fetches here")),
        this::peer, node -> true, time, time, new Transfers.Settings(1 << 20, 1, RETRY, GRACE))
        .start();
  }

  @Test
  void aLeavingReplicaKeepsAWriteItAcknowledgedUntilItsForwardIsAcknowledged() {
    start(1 << 20);
    byte[] key = keyHomedOn("n1");
    gossiper.update(s -> Changes.depart(s, "n1", "n1"));
    String newHome = newHomeOf(key);
    modes.put(newHome, Mode.HOLD);

    // A coordinator still on the old ring sends n1 the write and counts n1's acknowledgement.
    assertThat(local.merge(key, version("c", "v"))).isCompleted();
    assertThat(merged.get(newHome)).containsExactly(s(key));

    commit();
    time.advance(GRACE.plus(RETRY.multipliedBy(3)));
    assertThat(has(key)).as("n1's copy while its forward to %s is on the wire", newHome).isTrue();

    answer(newHome);
    time.advance(RETRY);
    assertThat(has(key)).as("dropped once the new home replica holds the write").isFalse();
    assertThat(local.pinnedKeys()).isEmpty();
  }

  @Test
  void aWriteWhoseForwardFailsIsKeptAsAHintBeforeItsCopyIsDropped() {
    start(1 << 20);
    byte[] key = keyHomedOn("n1");
    gossiper.update(s -> Changes.depart(s, "n1", "n1"));
    String newHome = newHomeOf(key);
    modes.put(newHome, Mode.FAIL);

    assertThat(local.merge(key, version("c", "v"))).isCompleted();
    commit();
    time.advance(GRACE.plus(RETRY));

    assertThat(has(key)).isFalse();
    assertThat(local.hints().get(newHome, key).siblings()).as("the hint for %s", newHome)
        .hasSize(1);
    assertThat(local.pinnedKeys()).isEmpty();
  }

  @Test
  void aWriteThatNeitherItsNewHomeNorTheHintStoreTookIsKeptAndForwardedAgain() {
    start(1); // every hint refused
    byte[] key = keyHomedOn("n1");
    gossiper.update(s -> Changes.depart(s, "n1", "n1"));
    String newHome = newHomeOf(key);
    modes.put(newHome, Mode.FAIL);

    assertThat(local.merge(key, version("c", "v"))).isCompleted();
    assertThat(local.merge(key, version("d", "w"))).isCompleted();
    commit();
    time.advance(GRACE.plus(RETRY.multipliedBy(4)));
    assertThat(has(key)).as("the only copy beyond the coordinator's count").isTrue();
    assertThat(local.pinnedKeys()).hasSize(1);

    modes.put(newHome, Mode.ANSWER);
    int before = merged.get(newHome).size();
    time.advance(RETRY.multipliedBy(3));
    assertThat(merged.get(newHome).size()).as("one waiting forward per key, not one per write")
        .isEqualTo(before + 1);
    assertThat(has(key)).isFalse();
    assertThat(local.pinnedKeys()).isEmpty();
  }

  @Test
  void writesOfAPartitionAreForwardedUntilItIsDroppedEvenAfterTheGrace() {
    start(1 << 20);
    byte[] first = keyHomedOn("n1");
    gossiper.update(s -> Changes.depart(s, "n1", "n1"));
    String newHome = newHomeOf(first);
    byte[] second = anotherKeyOfThePartitionOf(first);
    modes.put(newHome, Mode.HOLD);
    assertThat(local.merge(first, version("c", "v"))).isCompleted();
    commit();
    time.advance(GRACE.plus(RETRY.dividedBy(2)));
    assertThat(has(first)).isTrue();

    // Past the grace, the partition not dropped yet: a coordinator that has not heard of the
    // commit still counts n1's copy, so this write must reach the new home replica too.
    assertThat(local.merge(second, version("c", "w"))).isCompleted();
    assertThat(merged.get(newHome)).containsExactly(s(first), s(second));
    time.advance(RETRY.multipliedBy(3));
    assertThat(has(second)).isTrue();

    answer(newHome);
    time.advance(RETRY);
    assertThat(has(first)).isFalse();
    assertThat(has(second)).isFalse();
  }

  // ------------------------------------------------------------------ helpers

  /** Every handover of the pending change marked done, and the commit. */
  private void commit() {
    gossiper.update(s -> s.withDone(s.needed()).commitIfComplete());
    assertThat(gossiper.state().settled()).isTrue();
  }

  private boolean has(byte[] key) {
    return !local.store().get(key).siblings().isEmpty();
  }

  /** A key whose home replicas include {@code node}. */
  private byte[] keyHomedOn(String node) {
    for (int i = 0; ; i++) {
      byte[] key = b("key" + i);
      if (gossiper.state().ring().preferenceList(key).subList(0, 3).contains(node)) {
        return key;
      }
    }
  }

  /** Another key of the same partition. */
  private byte[] anotherKeyOfThePartitionOf(byte[] key) {
    int p = gossiper.state().ring().partitionOf(key);
    for (int i = 0; ; i++) {
      byte[] other = b("other" + i);
      if (gossiper.state().ring().partitionOf(other) == p) {
        return other;
      }
    }
  }

  /** The key's home replica in the pending ring that is not one in the ring. */
  private String newHomeOf(byte[] key) {
    ClusterState s = gossiper.state();
    int p = s.ring().partitionOf(key);
    List<String> now = ClusterState.homes(s.ring(), p);
    List<String> next = new ArrayList<>(ClusterState.homes(s.next(), p));
    next.removeAll(now);
    assertThat(next).hasSize(1);
    return next.get(0);
  }

  private void answer(String node) {
    modes.put(node, Mode.ANSWER);
    for (CompletableFuture<Void> f : held.getOrDefault(node, List.of())) {
      f.complete(null);
    }
  }

  private Peer peer(String node) {
    return new Peer() {
      @Override
      public CompletableFuture<VersionedObject> read(byte[] key) {
        return CompletableFuture.completedFuture(VersionedObject.EMPTY);
      }

      @Override
      public CompletableFuture<VersionedObject> readHints(byte[] key, List<String> home) {
        return CompletableFuture.completedFuture(VersionedObject.EMPTY);
      }

      @Override
      public CompletableFuture<Void> merge(byte[] key, VersionedObject object) {
        merged.computeIfAbsent(node, n -> new ArrayList<>()).add(s(key));
        switch (modes.getOrDefault(node, Mode.ANSWER)) {
          case HOLD -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            held.computeIfAbsent(node, n -> new ArrayList<>()).add(f);
            return f;
          }
          case FAIL -> {
            return CompletableFuture.failedFuture(KvException.unavailable(node + " is down"));
          }
          default -> {
            return CompletableFuture.completedFuture(null);
          }
        }
      }

      @Override
      public CompletableFuture<Void> hint(byte[] key, VersionedObject object, String home) {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletableFuture<byte[]> coordinatePut(byte[] k, byte[] v, byte[] c, int w) {
        throw new UnsupportedOperationException();
      }

      @Override
      public CompletableFuture<Void> ping() {
        return CompletableFuture.completedFuture(null);
      }
    };
  }

  private static VersionedObject version(String actor, String value) {
    Actor a = new Actor(actor, 1);
    return VersionedObject.EMPTY.write(VersionVector.EMPTY,
        VersionedObject.EMPTY.nextDot(a, VersionVector.EMPTY, 0), b(value), 1, 10);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
