package io.ringkv.server.antientropy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.VersionedStore;
import io.ringkv.version.Actor;
import io.ringkv.version.VersionVector;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exchange protocol between two real {@link AntiEntropy} instances over in-memory stores, on
 * random pairs of replicas with random differences: values written on one side only, newer
 * writes, concurrent siblings, deletes, keys on one side only; part written before the trees were
 * built (found by the build's scan), part after (incremental updates). One exchange finds exactly
 * the keys that differ, touching tree nodes and leaves in proportion to them, and leaves both
 * replicas with the merge (by vector clock) of what each held: nothing lost, nothing resurrected.
 * Seeded; {@code -Dringkv.seed=S} replays a case.
 */
class ExchangeTest {

  static List<Long> seeds() {
    return Seeds.of("ExchangeTest", 30);
  }

  private static final Actor A = new Actor("a", 1);
  private static final Actor B = new Actor("b", 1);
  private static final Actor C = new Actor("c", 1);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void oneExchangeRepairsExactlyTheDifferingKeys(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int q = 1 << (1 + r.nextInt(4));
    int leaves = 1 << r.nextInt(11);
    Replicas c = new Replicas(q, leaves, Duration.ofDays(1), "a", "b");
    VersionedStore sa = c.store("a");
    VersionedStore sb = c.store("b");
    int keys = r.nextInt(4) == 0 ? r.nextInt(20) : r.nextInt(6_000);
    int changes = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(r.nextBoolean() ? 10 : 800);
    int startAfter = r.nextInt(keys + changes + 1); // the trees are built after this many steps
    long now = c.clock.wall;
    int step = 0;
    for (int i = 0; i < keys; i++, step++) {
      if (step == startAfter) {
        c.start();
      }
      byte[] k = b("k" + i);
      VersionedObject o = Replicas.write(VersionedObject.EMPTY, VersionVector.EMPTY, C,
          b("v" + i), now);
      if (r.nextInt(10) == 0) { // an object with two siblings
        o = Replicas.write(o, VersionVector.EMPTY, A, b("w" + i), now);
      }
      VersionedObject stored = o;
      sa.update(k, x -> stored);
      sb.update(k, x -> stored);
    }
    for (int i = 0; i < changes; i++, step++) {
      if (step == startAfter) {
        c.start();
      }
      boolean onA = r.nextBoolean();
      VersionedStore side = onA ? sa : sb;
      Actor actor = onA ? A : B;
      int kind = r.nextInt(5);
      byte[] k = kind == 0 || keys == 0 ? b("new" + i) : b("k" + r.nextInt(keys));
      String v = "c" + i;
      side.update(k, x -> switch (kind) {
        case 1 -> Replicas.write(x, x.context(), actor, b(v), now); // supersedes
        case 2 -> Replicas.write(x, VersionVector.EMPTY, actor, b(v), now); // a sibling
        case 3 -> Replicas.write(x, x.context(), actor, null, now); // a delete
        default -> Replicas.write(x, x.context(), actor, b(v), now);
      });
    }
    if (step <= startAfter) {
      c.start();
    }
    // What each side holds, and what both must hold afterwards.
    Map<String, VersionedObject> before = new TreeMap<>();
    Map<String, VersionedObject> expected = new TreeMap<>();
    int differing = 0;
    java.util.TreeSet<String> all = new java.util.TreeSet<>(Replicas.keysOf(sa));
    all.addAll(Replicas.keysOf(sb));
    for (String key : all) {
      VersionedObject x = sa.get(b(key));
      VersionedObject y = sb.get(b(key));
      if (!x.equals(y)) {
        differing++;
      }
      before.put(key, x);
      expected.put(key, x.merge(y));
    }
    String why = "seed " + seed + ": Q=" + q + ", " + leaves + " leaves, " + all.size()
        + " keys, " + differing + " differing";

    List<ExchangeResult> results = c.repair("a", null, "b");
    assertThat(results).as(why).hasSize(q);
    long nodes = 0;
    long leavesDiffering = 0;
    long found = 0;
    long repaired = 0;
    int depth = new MerkleTree(leaves).rootLevel();
    for (ExchangeResult x : results) {
      assertThat(x.outcome()).as(why + " " + x).isEqualTo(ExchangeResult.Outcome.COMPLETED);
      assertThat(x.nodesCompared()).as(why + " " + x)
          .isLessThanOrEqualTo(1 + x.keysDiffering() * MerkleTree.FAN_OUT * depth);
      assertThat(x.leavesDiffering()).as(why + " " + x).isLessThanOrEqualTo(x.keysDiffering());
      nodes += x.nodesCompared();
      leavesDiffering += x.leavesDiffering();
      found += x.keysDiffering();
      repaired += x.keysRepaired();
    }
    assertThat(found).as(why).isEqualTo(differing);
    assertThat(repaired).as(why).isEqualTo(differing);
    for (String key : all) {
      assertThat(sa.get(b(key))).as(why + ": " + key + " on a").isEqualTo(expected.get(key));
      assertThat(sb.get(b(key))).as(why + ": " + key + " on b").isEqualTo(expected.get(key));
    }
    // Afterwards the trees agree: the next exchange compares only the roots.
    for (ExchangeResult x : c.repair("b", null, "a")) {
      assertThat(x.nodesCompared()).as(why).isEqualTo(1);
      assertThat(x.keysDiffering()).as(why).isZero();
    }
    System.out.printf("%s: %d tree nodes compared over %d partitions, %d leaves differed%n",
        why, nodes, q, leavesDiffering);
  }
}
