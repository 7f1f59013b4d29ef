package io.ringkv.version;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VersionedObjectTest {

  private static final Actor A = new Actor("node-a", 11);
  private static final Actor B = new Actor("node-b", 12);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static VersionedObject put(VersionedObject o, Actor actor, VersionVector ctx, String v) {
    return o.write(ctx, o.nextDot(actor, ctx, 0), v == null ? null : b(v), 1000, 10);
  }

  @Test
  void twoBlindWritesThroughOneCoordinatorStaySiblings() {
    VersionedObject o = put(VersionedObject.EMPTY, A, VersionVector.EMPTY, "x");
    o = put(o, A, VersionVector.EMPTY, "y");
    assertThat(o.values()).extracting(String::new).containsExactlyInAnyOrder("x", "y");
  }

  @Test
  void twoWritesWithTheSameStaleContextStaySiblings() {
    VersionedObject o = put(VersionedObject.EMPTY, A, VersionVector.EMPTY, "base");
    VersionVector seen = o.context();
    o = put(o, A, seen, "x");
    o = put(o, A, seen, "y");
    assertThat(o.values()).extracting(String::new).containsExactlyInAnyOrder("x", "y");
  }

  @Test
  void aWriteWithAContextSupersedesExactlyWhatItSaw() {
    VersionedObject o = put(VersionedObject.EMPTY, A, VersionVector.EMPTY, "x");
    VersionVector sawX = o.context();
    o = put(o, B, VersionVector.EMPTY, "y"); // concurrent, not seen by the next write
    o = put(o, A, sawX, "z");
    assertThat(o.values()).extracting(String::new).containsExactlyInAnyOrder("y", "z");
    o = put(o, B, o.context(), "resolved");
    assertThat(o.values()).extracting(String::new).containsExactly("resolved");
  }

  @Test
  void deleteIsATombstoneAndAConcurrentWriteSurvivesIt() {
    VersionedObject o = put(VersionedObject.EMPTY, A, VersionVector.EMPTY, "x");
    VersionVector sawX = o.context();
    VersionedObject deleted = put(o, A, sawX, null);
    assertThat(deleted.values()).isEmpty();
    assertThat(deleted.isDeleted()).isTrue();

    VersionedObject concurrent = put(o, B, sawX, "y");
    VersionedObject merged = deleted.merge(concurrent);
    assertThat(merged.values()).extracting(String::new).containsExactly("y");
    // A replica that still has x does not resurrect it.
    assertThat(merged.merge(o).values()).extracting(String::new).containsExactly("y");
  }

  @Test
  void truncationDropsTheOldestEntriesButNeverOneASiblingNeeds() {
    VersionVector v = VersionVector.EMPTY;
    for (int i = 0; i < 15; i++) {
      v = v.with(new Dot(new Actor("n" + i, 1), 1), 100 + i);
    }
    VersionVector t = v.truncate(10, Set.of(new Actor("n0", 1)));
    assertThat(t.size()).isEqualTo(10);
    assertThat(t.counter(new Actor("n0", 1))).isEqualTo(1); // kept: needed
    for (int i = 1; i <= 5; i++) {
      assertThat(t.counter(new Actor("n" + i, 1))).as("n" + i).isZero(); // oldest dropped
    }
    for (int i = 6; i < 15; i++) {
      assertThat(t.counter(new Actor("n" + i, 1))).as("n" + i).isEqualTo(1);
    }
  }

  @Test
  void writeTruncatesTheContext() {
    VersionedObject o = VersionedObject.EMPTY;
    for (int i = 0; i < 20; i++) {
      Actor actor = new Actor("n" + i, 1);
      o = o.write(o.context(), o.nextDot(actor, o.context(), 0), b("v" + i), i, 10);
    }
    assertThat(o.context().size()).isEqualTo(10);
    assertThat(o.values()).extracting(String::new).containsExactly("v19");
    assertThat(o.context().counter(new Actor("n19", 1))).isEqualTo(1);
    assertThat(o.context().counter(new Actor("n0", 1))).isZero();
  }

  @Test
  void nextDotIsAboveTheObjectTheContextAndTheFloor() {
    VersionedObject o = put(VersionedObject.EMPTY, A, VersionVector.EMPTY, "x");
    assertThat(o.nextDot(A, VersionVector.EMPTY, 0).counter()).isEqualTo(2);
    VersionVector ctx = VersionVector.of(List.of(new VersionVector.Entry(A, 40, 0)));
    assertThat(o.nextDot(A, ctx, 0).counter()).isEqualTo(41);
    assertThat(o.nextDot(A, ctx, 99).counter()).isEqualTo(100);
  }
}
