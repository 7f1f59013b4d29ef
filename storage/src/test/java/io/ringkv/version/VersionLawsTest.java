package io.ringkv.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Laws of version vectors and dotted objects, over random histories. Each case is one seed; a
 * failure names it, and {@code -Dringkv.seed=S} reruns just that seed.
 */
class VersionLawsTest {

  static List<Long> seeds() {
    String fixed = System.getProperty("ringkv.seed");
    if (fixed != null) {
      return List.of(Long.parseLong(fixed));
    }
    long base = new SplittableRandom().nextLong();
    System.out.println("VersionLawsTest base seed " + base);
    List<Long> out = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(base);
    for (int i = 0; i < 200; i++) {
      out.add(r.nextLong());
    }
    return out;
  }

  private static final Actor[] ACTORS = {
    new Actor("a", 1), new Actor("b", 1), new Actor("c", 7), new Actor("c", 8), new Actor("d", 2)
  };

  private static VersionVector randomVector(SplittableRandom r) {
    List<VersionVector.Entry> entries = new ArrayList<>();
    for (Actor a : ACTORS) {
      if (r.nextInt(3) > 0) {
        entries.add(new VersionVector.Entry(a, 1 + r.nextInt(4), r.nextInt(1000)));
      }
    }
    return VersionVector.of(entries);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void vectorOrderIsAPartialOrderAndMergeIsASemilattice(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    VersionVector a = randomVector(r);
    VersionVector b = randomVector(r);
    VersionVector c = randomVector(r);
    String why = "seed " + seed + ": a=" + a + " b=" + b + " c=" + c;

    assertThat(a.compare(a)).as(why).isEqualTo(Order.EQUAL);
    assertThat(a.compare(b)).as(why).isEqualTo(flip(b.compare(a)));
    if (a.descends(b) && b.descends(c)) {
      assertThat(a.descends(c)).as(why).isTrue();
    }
    if (a.descends(b) && b.descends(a)) {
      assertThat(a.compare(b)).as(why).isEqualTo(Order.EQUAL);
    }
    assertThat(a.merge(b)).as(why).isEqualTo(b.merge(a));
    assertThat(a.merge(b).merge(c)).as(why).isEqualTo(a.merge(b.merge(c)));
    assertThat(a.merge(a)).as(why).isEqualTo(a);
    assertThat(a.merge(b).descends(a)).as(why).isTrue();
    assertThat(a.merge(b).descends(b)).as(why).isTrue();
    // The merge is the least upper bound: anything that descends from both descends from it.
    if (c.descends(a) && c.descends(b)) {
      assertThat(c.descends(a.merge(b))).as(why).isTrue();
    }
  }

  private static Order flip(Order o) {
    return switch (o) {
      case BEFORE -> Order.AFTER;
      case AFTER -> Order.BEFORE;
      default -> o;
    };
  }

  /** One replica-level write of a random history, for the oracle. */
  private record Write(Dot dot, VersionVector clientContext) {}

  /**
   * Random writes at random replicas with contexts read from random replicas (or none), and
   * random pairwise syncs. After a full sync every replica holds exactly the writes no other
   * write's context has seen: nothing superseded survives, nothing concurrent is lost.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void objectsConvergeToExactlyTheUnsupersededWrites(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = 2 + r.nextInt(3);
    VersionedObject[] replicas = new VersionedObject[n];
    long[] floors = new long[n];
    java.util.Arrays.fill(replicas, VersionedObject.EMPTY);
    List<Write> writes = new ArrayList<>();
    List<VersionVector> readContexts = new ArrayList<>();
    readContexts.add(VersionVector.EMPTY);
    int steps = 5 + r.nextInt(40);
    for (int step = 0; step < steps; step++) {
      int i = r.nextInt(n);
      switch (r.nextInt(4)) {
        case 0, 1 -> {
          VersionVector ctx = readContexts.get(r.nextInt(readContexts.size()));
          Actor actor = ACTORS[i];
          floors[i] += r.nextInt(3); // node-wide counters leave gaps per key
          Dot dot = replicas[i].nextDot(actor, ctx, floors[i]);
          floors[i] = dot.counter();
          byte[] value =
              r.nextInt(5) == 0 ? null : ("v" + step).getBytes(StandardCharsets.UTF_8);
          replicas[i] = replicas[i].write(ctx, dot, value, step, 100);
          writes.add(new Write(dot, ctx));
        }
        case 2 -> readContexts.add(replicas[i].context());
        default -> {
          int j = r.nextInt(n);
          VersionedObject merged = replicas[i].merge(replicas[j]);
          assertThat(merged).as("seed %d: merge commutes", seed)
              .isEqualTo(replicas[j].merge(replicas[i]));
          assertThat(merged.context().descends(replicas[i].context())).isTrue();
          replicas[i] = merged;
          if (r.nextBoolean()) {
            replicas[j] = merged;
          }
        }
      }
    }
    VersionedObject all = VersionedObject.EMPTY;
    for (VersionedObject o : replicas) {
      all = all.merge(o);
      assertThat(all.merge(o)).as("seed %d: merge is idempotent", seed).isEqualTo(all);
    }
    // Associativity: merging in the reverse order gives the same object.
    VersionedObject reverse = VersionedObject.EMPTY;
    for (int i = n - 1; i >= 0; i--) {
      reverse = replicas[i].merge(reverse);
    }
    assertThat(reverse).as("seed %d: merge order does not matter", seed).isEqualTo(all);

    Set<Dot> expected = new HashSet<>();
    for (Write w : writes) {
      boolean superseded = writes.stream().anyMatch(o -> o.clientContext().contains(w.dot()));
      if (!superseded) {
        expected.add(w.dot());
      }
      assertThat(all.covers(w.dot())).as("seed %d: write %s covered", seed, w.dot()).isTrue();
    }
    Set<Dot> actual = new HashSet<>();
    all.siblings().forEach(s -> actual.add(s.dot()));
    assertThat(actual).as("seed %d: surviving siblings", seed).isEqualTo(expected);
  }
}
