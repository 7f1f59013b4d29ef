package io.ringkv.server.antientropy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.server.antientropy.ExchangeResult.Outcome;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.Actor;
import io.ringkv.version.VersionVector;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Deletes across exchanges and tombstone purge; exchanges whose peer goes away part way; the rule
 * that a partition pair never has two exchanges at once.
 */
class TombstonesAndFailuresTest {

  private static final Duration GRACE = Duration.ofHours(1);
  private static final Actor W = new Actor("writer", 1);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static VersionedObject value(String v, long now) {
    return Replicas.write(VersionedObject.EMPTY, VersionVector.EMPTY, W, b(v), now);
  }

  private static long purged(List<ExchangeResult> results) {
    return results.stream().mapToLong(ExchangeResult::tombstonesPurged).sum();
  }

  @Test
  void deletesStayDeletedThroughExchangesAndArePurgedOnlyUnderTheCondition() {
    Replicas c = new Replicas(4, 64, GRACE, "a", "b", "c");
    c.start();
    byte[] k = b("doomed");
    int p = c.ring.partitionOf(k);
    long t0 = c.clock.wall;
    VersionedObject v = value("precious", t0);
    for (String n : List.of("a", "b", "c")) {
      c.store(n).update(k, x -> v);
    }
    // The delete reaches a and b; c misses it and still holds the value.
    VersionedObject tomb = Replicas.write(v, v.context(), W, null, t0 + 10);
    c.store("a").update(k, x -> tomb);
    c.store("b").update(k, x -> tomb);

    // Within the grace period nothing is purged, even where every replica agrees.
    assertThat(purged(c.repair("a", p, "b"))).isZero();
    assertThat(c.store("a").get(k)).isEqualTo(tomb);

    // Past the grace period, a may not purge while c still holds the deleted value.
    c.clock.wall = t0 + GRACE.toMillis() + 1_000;
    assertThat(purged(c.repair("a", p, "b"))).isZero();
    assertThat(c.store("a").get(k)).isEqualTo(tomb);

    // Nor while c is unreachable (it cannot be asked).
    c.down.add("c");
    assertThat(purged(c.repair("a", p, "b"))).isZero();
    c.down.clear();

    // The exchange with c brings c the delete: the value is superseded, not resurrected. Now
    // every home replica holds the tombstone (and the grace has passed): a purges it.
    List<ExchangeResult> withC = c.repair("a", p, "c");
    assertThat(withC.get(0).keysRepaired()).isEqualTo(1);
    for (String n : List.of("b", "c")) {
      assertThat(c.store(n).get(k)).as(n).isEqualTo(tomb);
      assertThat(c.store(n).get(k).values()).as(n).isEmpty();
    }
    assertThat(purged(withC)).isEqualTo(1);
    assertThat(c.store("a").getRaw(k)).isNull();

    // An exchange never copies the expired tombstone back to a, which holds nothing now; b and
    // c, seeing a hold nothing and each other the tombstone, purge theirs too.
    List<ExchangeResult> fromB = c.repair("b", p, "a");
    assertThat(fromB.get(0).keysDiffering()).isEqualTo(1);
    assertThat(fromB.get(0).keysRepaired()).isZero();
    assertThat(c.store("a").getRaw(k)).isNull();
    assertThat(purged(fromB)).isEqualTo(1);
    assertThat(purged(c.repair("c", p, "a"))).isEqualTo(1);
    for (String n : List.of("a", "b", "c")) {
      assertThat(c.store(n).getRaw(k)).as(n).isNull();
    }
    // Converged on nothing: the next exchanges find no difference.
    for (ExchangeResult x : c.repair("a", p, null)) {
      assertThat(x.keysDiffering()).isZero();
      assertThat(x.nodesCompared()).isEqualTo(1);
    }
    assertThat(c.node("a").tombstonesPurged()).isEqualTo(1);
  }

  @Test
  void aTombstoneIsNotPurgedWhileAnotherReplicaHoldsADifferentTombstone() {
    Replicas c = new Replicas(2, 16, GRACE, "a", "b");
    c.start();
    byte[] k = b("k");
    int p = c.ring.partitionOf(k);
    VersionedObject v = value("x", c.clock.wall);
    VersionedObject tombA = Replicas.write(v, v.context(), new Actor("a", 1), null, c.clock.wall);
    VersionedObject tombB = Replicas.write(v, v.context(), new Actor("b", 1), null, c.clock.wall);
    c.store("a").update(k, x -> tombA);
    c.store("b").update(k, x -> tombB);
    c.clock.wall += GRACE.toMillis() + 1;
    // The exchange fails before it syncs anything; the purge pass after it finds b holding
    // another object than a: nothing is purged.
    c.wrap.put("a>b", real -> dyingAfter(real, 0, false));
    List<ExchangeResult> r = c.repair("a", p, "b");
    assertThat(r.get(0).outcome()).isEqualTo(Outcome.FAILED);
    assertThat(purged(r)).isZero();
    assertThat(c.store("a").get(k)).isEqualTo(tombA);
    c.wrap.clear();
    // The exchange merges the two concurrent deletes (both siblings, both tombstones); then, with
    // both holding the same object, a's copy may go, and b's after it.
    r = c.repair("a", p, "b");
    assertThat(r.get(0).keysRepaired()).isEqualTo(1);
    assertThat(c.store("b").get(k)).isEqualTo(tombA.merge(tombB));
    assertThat(c.store("b").get(k).siblings()).hasSize(2);
    assertThat(purged(r)).isEqualTo(1);
    assertThat(purged(c.repair("b", p, "a"))).isEqualTo(1);
    assertThat(c.store("a").getRaw(k)).isNull();
    assertThat(c.store("b").getRaw(k)).isNull();
  }

  /** A peer whose sync calls fail after the first {@code ok} of them, as if it died then. */
  private static AntiEntropyPeer dyingAfter(AntiEntropyPeer real, int ok, boolean afterMerging) {
    AtomicInteger calls = new AtomicInteger();
    return new ForwardingPeer(real) {
      @Override
      public CompletableFuture<List<Synced>> sync(ExchangeId id, int partition,
          List<KeyObject> objects) {
        if (calls.incrementAndGet() <= ok) {
          return real.sync(id, partition, objects);
        }
        KvException gone = new KvException(KvException.Code.DEADLINE_EXCEEDED,
            "node b did not answer in time", false);
        if (afterMerging) { // it merged, then died before answering
          return real.sync(id, partition, objects).thenCompose(x -> CompletableFuture.failedFuture(gone));
        }
        return CompletableFuture.failedFuture(gone);
      }
    };
  }

  @Test
  void anExchangeWhosePeerDiesMidwayLeavesBothConsistentAndTheNextCompletesIt() {
    for (boolean afterMerging : new boolean[] {false, true}) {
      Replicas c = new Replicas(2, 256, GRACE, "a", "b");
      c.start();
      VersionedStore sa = c.store("a");
      VersionedStore sb = c.store("b");
      Map<String, VersionedObject> expected = new TreeMap<>();
      for (int i = 0; i < 600; i++) {
        String key = "k" + i;
        VersionedObject o = value("v" + i, c.clock.wall);
        sa.update(b(key), x -> o);
        if (i % 3 == 0) { // b has a concurrent sibling
          VersionedObject other = Replicas.write(VersionedObject.EMPTY, VersionVector.EMPTY,
              new Actor("b", 1), b("b" + i), c.clock.wall);
          sb.update(b(key), x -> other);
          expected.put(key, o.merge(other));
        } else if (i % 3 == 1) { // only a has it
          expected.put(key, o);
        } else { // both have it
          sb.update(b(key), x -> o);
          expected.put(key, o);
        }
      }
      Map<String, VersionedObject> beforeA = snapshot(sa, expected);
      Map<String, VersionedObject> beforeB = snapshot(sb, expected);
      c.wrap.put("a>b", real -> dyingAfter(real, 2, afterMerging));

      List<ExchangeResult> first = c.repair("a", null, "b");
      assertThat(first).anyMatch(x -> x.outcome() == Outcome.FAILED);
      for (String key : expected.keySet()) {
        VersionedObject x = sa.get(b(key));
        VersionedObject y = sb.get(b(key));
        // Each side still holds all it held (at most more), and together they hold everything.
        assertThat(x.merge(beforeA.get(key))).as(key).isEqualTo(x);
        assertThat(y.merge(beforeB.get(key))).as(key).isEqualTo(y);
        assertThat(x.merge(y)).as(key).isEqualTo(expected.get(key));
      }
      long repairedFirst = first.stream().mapToLong(ExchangeResult::keysRepaired).sum();
      assertThat(repairedFirst).isPositive().isLessThan(400);

      c.wrap.clear(); // the peer is back
      List<ExchangeResult> second = c.repair("a", null, "b");
      assertThat(second).allMatch(x -> x.outcome() == Outcome.COMPLETED);
      for (String key : expected.keySet()) {
        assertThat(sa.get(b(key))).as(key).isEqualTo(expected.get(key));
        assertThat(sb.get(b(key))).as(key).isEqualTo(expected.get(key));
      }
    }
  }

  private static Map<String, VersionedObject> snapshot(VersionedStore s, Map<String, ?> keys) {
    Map<String, VersionedObject> out = new TreeMap<>();
    for (String k : keys.keySet()) {
      out.put(k, s.get(b(k)));
    }
    return out;
  }

  @Test
  void aPartitionPairNeverHasTwoExchangesAtOnce() {
    Replicas c = new Replicas(2, 16, GRACE, "a", "b");
    c.start();
    for (int i = 0; i < 50; i++) {
      VersionedObject o = value("v" + i, c.clock.wall);
      c.store("a").update(b("k" + i), x -> o);
    }
    int p = c.ring.partitionOf(b("k0"));
    CompletableFuture<Void> gate = new CompletableFuture<>();
    c.wrap.put("a>b", real -> new ForwardingPeer(real) {
      @Override
      public CompletableFuture<List<Synced>> sync(ExchangeId id, int partition,
          List<KeyObject> objects) {
        return gate.thenCompose(x -> real.sync(id, partition, objects)); // held up
      }
    });
    CompletableFuture<List<ExchangeResult>> stalled = c.node("a").repair(p, "b");
    assertThat(stalled).isNotDone();
    // Neither side starts another exchange of the pair meanwhile.
    ExchangeResult again = c.repair("a", p, "b").get(0);
    assertThat(again.outcome()).isEqualTo(Outcome.SKIPPED);
    assertThat(again.detail()).contains("already running");
    ExchangeResult reverse = c.repair("b", p, "a").get(0);
    assertThat(reverse.outcome()).isEqualTo(Outcome.SKIPPED);
    // Other partitions are not held up.
    int other = 1 - p;
    assertThat(c.repair("b", other, "a").get(0).outcome()).isEqualTo(Outcome.COMPLETED);

    gate.complete(null);
    assertThat(stalled.join().get(0).outcome()).isEqualTo(Outcome.COMPLETED);
    // Done: the lease is released at once, the pair is free again.
    assertThat(c.repair("b", p, "a").get(0).outcome()).isEqualTo(Outcome.COMPLETED);
  }

  @Test
  void repairRefusesWhatItCannotDo() {
    Replicas c = new Replicas(4, 16, GRACE, "a", "b");
    c.start();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.node("a").repair(9, null))
        .isInstanceOf(KvException.class).hasMessageContaining("between 0 and 3");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.node("a").repair(1, "a"))
        .isInstanceOf(KvException.class).hasMessageContaining("another node");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.node("a").repair(1, "zz"))
        .isInstanceOf(KvException.class).hasMessageContaining("not a home replica");
    c.down.add("b");
    assertThat(c.repair("a", 1, null).get(0).detail()).contains("unreachable");
  }
}
