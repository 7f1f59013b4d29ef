package io.ringkv.server.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.env.Clock;
import io.ringkv.env.Scheduler;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The handoff rounds on their own, run step by step: real hint store and local replica (in
 * memory), a scheduler the test drives, and peers that record what they were handed.
 */
class HintedHandoffTest {

  private final InMemoryStorageEngine engine = new InMemoryStorageEngine();
  private final HintStore hints =
      new HintStore(engine, StorageEngine.Durability.BUFFERED, 1 << 20);
  private final Clock clock = new Clock() {
    @Override
    public long wallMillis() {
      return 1_000_000;
    }

    @Override
    public long monotonicNanos() {
      return 0;
    }
  };
  private final LocalReplica local = new LocalReplica(
      new VersionedStore(engine, StorageEngine.Durability.BUFFERED), hints, Runnable::run, clock);
  private final Deque<Runnable> timers = new ArrayDeque<>();
  private final Scheduler scheduler = new Scheduler() {
    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      timers.add(task);
      return () -> timers.remove(task);
    }

    @Override
    public void execute(Runnable task) {
      task.run();
    }
  };
  private final TreeMap<String, List<String>> delivered = new TreeMap<>();
  private final Set<String> refusing = new java.util.TreeSet<>();

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static VersionedObject version(String value) {
    Actor a = new Actor("writer", 1);
    return VersionedObject.EMPTY.write(VersionVector.EMPTY,
        VersionedObject.EMPTY.nextDot(a, VersionVector.EMPTY, 0), b(value), 1, 10);
  }

  private Peer recordingPeer(String node) {
    return new Peer() {
      @Override
      public CompletableFuture<VersionedObject> read(byte[] key) {
        throw new UnsupportedOperationException();
      }

      @Override
      public CompletableFuture<VersionedObject> readHints(byte[] key, List<String> home) {
        throw new UnsupportedOperationException();
      }

      @Override
      public CompletableFuture<Void> merge(byte[] key, VersionedObject object) {
        if (refusing.contains(node)) {
          return CompletableFuture.failedFuture(KvException.unavailable(node + " unreachable"));
        }
        delivered.computeIfAbsent(node, n -> new ArrayList<>())
            .add(new String(key, StandardCharsets.UTF_8));
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletableFuture<Void> hint(byte[] key, VersionedObject object, String home) {
        throw new UnsupportedOperationException();
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

  private HintedHandoff handoff(Set<String> up, Set<String> members) {
    return new HintedHandoff("self", local, this::recordingPeer, up::contains, members::contains,
        key -> List.of("a", "b", "self"), scheduler, clock,
        new HintedHandoff.Settings(Duration.ofSeconds(1), 2, 1000, Duration.ofHours(1)));
  }

  private void runRound() {
    timers.poll().run();
  }

  @Test
  void hintsGoToReachableNodesOnlyAndAreDeletedAfterTheAck() {
    for (int i = 0; i < 5; i++) {
      hints.merge("a", b("k" + i), version("v" + i), 0);
    }
    hints.merge("b", b("x"), version("x"), 0);
    HintedHandoff h = handoff(Set.of("a"), Set.of("a", "b", "self"));
    h.start();
    runRound();
    assertThat(delivered.get("a")).containsExactlyInAnyOrder("k0", "k1", "k2", "k3", "k4"); // batches of 2, ring order
    assertThat(delivered).doesNotContainKey("b"); // b is down: its hint stays
    assertThat(hints.held()).containsOnlyKeys("b");
    assertThat(h.delivered()).isEqualTo(5);
    assertThat(timers).hasSize(1); // the next round is scheduled
  }

  @Test
  void aFailedDeliveryKeepsTheHintForTheNextRound() {
    hints.merge("a", b("k"), version("v"), 0);
    refusing.add("a");
    HintedHandoff h = handoff(Set.of("a"), Set.of("a", "b", "self"));
    h.start();
    runRound();
    assertThat(hints.held().get("a").keys()).isEqualTo(1);
    refusing.clear();
    runRound();
    assertThat(delivered.get("a")).containsExactly("k");
    assertThat(hints.held()).isEmpty();
  }

  @Test
  void aHintForANodeThatLeftTheClusterGoesToTheKeysHomeReplicas() {
    hints.merge("gone", b("k"), version("v"), 0);
    HintedHandoff h = handoff(Set.of("a", "b"), Set.of("a", "b", "self"));
    h.start();
    runRound();
    assertThat(delivered.get("a")).containsExactly("k");
    assertThat(delivered.get("b")).containsExactly("k");
    assertThat(local.store().get(b("k")).values()).extracting(String::new).containsExactly("v");
    assertThat(hints.held()).isEmpty();
  }

  @Test
  void hintsPastTheAgeBoundAreDroppedAndCounted() {
    hints.merge("a", b("old"), version("v"), 1_000_000 - Duration.ofHours(2).toMillis());
    hints.merge("a", b("new"), version("v"), 1_000_000);
    HintedHandoff h = handoff(Set.of("a"), Set.of("a", "self"));
    h.start();
    runRound();
    assertThat(delivered.get("a")).containsExactly("new");
    assertThat(h.expired()).isEqualTo(1);
    assertThat(hints.held()).isEmpty();
  }
}
