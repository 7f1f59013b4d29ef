package io.ringkv.server.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.gossip.ClusterState;
import io.ringkv.gossip.Changes;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Member;
import io.ringkv.server.coordinator.Coordinator;
import io.ringkv.server.coordinator.CoordinatorSettings;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.server.replica.Peer;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.InMemoryStorageEngine;
import io.ringkv.storage.NodeIdentity;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A leaving node that coordinates a write counts its own copy toward W, so it must keep that copy
 * until the write is answered, even when the ring change commits and the forward grace ends
 * meanwhile (the simulator's seed 400775: n1 dropped the key's partition while its w=3 round
 * waited for a replica that was down, then acknowledged with two copies). Node n1 of four leaves;
 * its coordinator, transfers and storage are the real ones, its peers answer as the test says,
 * and the test drives time.
 */
class DropWhileCoordinatingTest {

  private static final Duration GRACE = Duration.ofMillis(100);
  private static final Duration RETRY = Duration.ofMillis(50);
  private static final Duration REQUEST = Duration.ofSeconds(5);

  private final FakeTime time = new FakeTime();
  private final InMemoryStorageEngine engine = new InMemoryStorageEngine();
  private final LocalReplica local = new LocalReplica(
      new VersionedStore(engine, StorageEngine.Durability.BUFFERED),
      new HintStore(engine, StorageEngine.Durability.BUFFERED, 1 << 20), Runnable::run, time);
  /** Replies the peers have not given yet, by node: the test completes them. */
  private final TreeMap<String, List<CompletableFuture<Void>>> held = new TreeMap<>();
  private final List<String> silent = new ArrayList<>();
  private final Gossiper gossiper;
  private final Coordinator coordinator;

  DropWhileCoordinatingTest() {
    List<Member> members = new ArrayList<>();
    for (String id : List.of("n1", "n2", "n3", "n4")) {
      members.add(new Member(id, id + ":1", 1, Member.State.NORMAL));
    }
    ClusterState initial = ClusterState.bootstrap("c", "c-id", members, 8, 3);
    gossiper = new Gossiper("n1", initial, 1, List.of(),
        (address, digest) -> CompletableFuture.failedFuture(new IllegalStateException("no net")),
        state -> { }, time, new SplittableRandom(1), new Gossiper.Settings(Duration.ofHours(1), 5),
        node -> { });
    Transfers transfers = new Transfers("n1", gossiper, local,
        (node, partition, after, max, version) ->
            CompletableFuture.failedFuture(KvException.unavailable("no fetches here")),
        this::peer, node -> true, time, time, new Transfers.Settings(1 << 20, 1, RETRY, GRACE));
    transfers.start();
    coordinator = new Coordinator("n1",
        NodeIdentity.loadOrCreate(engine, "n1", new SplittableRandom(2), "boot",
            StorageEngine.Durability.BUFFERED), local, this::peer,
        key -> gossiper.state().ring().preferenceList(key), node -> true, time, time,
        new CoordinatorSettings(3, 2, 2, 1024, 1 << 20, 100, 10, REQUEST, REQUEST,
            Duration.ZERO),
        (node, key) -> { });
  }

  @Test
  void aMovedPartitionIsDroppedOnlyAfterTheWritesItsNodeCoordinatesOnItAreAnswered() {
    byte[] key = keyHomedOn("n1", "n3");
    byte[] other = keyHomedOn("n1", "n2");
    assertThat(coordinator.put(other, b("x"), new byte[0], 3)).isCompleted();
    silent.add("n3");
    CompletableFuture<byte[]> put = coordinator.put(key, b("v"), new byte[0], 3);
    assertThat(put).isNotDone(); // n1 and one of n2, n4 hold it; n3 has not answered

    leaveAndCommit("n1");
    time.advance(GRACE.plus(RETRY.multipliedBy(3)));

    assertThat(local.store().get(other).siblings().isEmpty()).as("a partition with no write in flight")
        .isTrue();
    assertThat(local.store().get(key).siblings().isEmpty())
        .as("n1's copy still counts toward the w=3 put it coordinates").isFalse();
    assertThat(put).isNotDone();

    answer("n3");
    assertThat(put).isCompleted();
    time.advance(RETRY);
    assertThat(local.store().get(key).siblings().isEmpty()).as("dropped once the put was answered").isTrue();
  }

  @Test
  void aNodeThatNoLongerHoldsAKeyDoesNotCoordinateItsPuts() {
    byte[] key = keyHomedOn("n1", "n3");
    leaveAndCommit("n1");
    time.advance(GRACE);
    CompletableFuture<byte[]> forwarded = coordinator.coordinatePut(key, b("v"), new byte[0], 2);
    assertThat(forwarded).isCompletedExceptionally();
    assertThat(local.pinnedKeys()).isEmpty();
    assertThat(local.store().get(key).siblings().isEmpty()).isTrue();
  }

  @Test
  void aPinLastsUntilItsLastRelease() {
    byte[] key = b("k");
    LocalReplica.Pin first = local.pin(key);
    LocalReplica.Pin second = local.pin(key);
    first.release();
    first.release();
    assertThat(local.pinnedKeys()).hasSize(1);
    second.release();
    assertThat(local.pinnedKeys()).isEmpty();
  }

  // ------------------------------------------------------------------ helpers

  /** The departure of {@code node}, every handover marked done, and the commit. */
  private void leaveAndCommit(String node) {
    gossiper.update(s -> Changes.depart(s, node, node));
    gossiper.update(s -> s.withDone(s.needed()).commitIfComplete());
    assertThat(gossiper.state().settled()).isTrue();
    assertThat(gossiper.state().ring().nodes()).doesNotContain(node);
  }

  /** A key whose home replicas include both nodes. */
  private byte[] keyHomedOn(String a, String b) {
    for (int i = 0; ; i++) {
      byte[] key = b("key" + i);
      List<String> home = gossiper.state().ring().preferenceList(key).subList(0, 3);
      if (home.contains(a) && home.contains(b)) {
        return key;
      }
    }
  }

  private void answer(String node) {
    silent.remove(node);
    for (CompletableFuture<Void> f : held.getOrDefault(node, List.of())) {
      f.complete(null);
    }
  }

  private CompletableFuture<Void> reply(String node) {
    if (!silent.contains(node)) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    held.computeIfAbsent(node, n -> new ArrayList<>()).add(f);
    return f;
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
        return reply(node);
      }

      @Override
      public CompletableFuture<Void> hint(byte[] key, VersionedObject object, String home) {
        return reply(node);
      }

      @Override
      public CompletableFuture<byte[]> coordinatePut(byte[] k, byte[] v, byte[] c, int w) {
        throw new UnsupportedOperationException("n1 coordinates every put of this test");
      }

      @Override
      public CompletableFuture<Void> ping() {
        return CompletableFuture.completedFuture(null);
      }
    };
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
