package io.ringkv.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RingTest {

  private static Map<String, Integer> nodes(int count) {
    Map<String, Integer> m = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      m.put(String.format("node-%02d", i), 1);
    }
    return m;
  }

  private static byte[] key(int i) {
    return ("key-" + i).getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 64, 256, 1024})
  void partitionOfAgreesWithRanges(int q) {
    Ring ring = Ring.initial(q, 3, nodes(5));
    long seed = 11L * q;
    Random rnd = new Random(seed);
    List<Long> tokens = new ArrayList<>(List.of(0L, -1L, 1L, Long.MAX_VALUE, Long.MIN_VALUE));
    for (int i = 0; i < 2000; i++) {
      tokens.add(rnd.nextLong());
    }
    for (int p = 0; p < q; p++) {
      tokens.add(ring.partitionStart(p));
      tokens.add(ring.partitionStart(p) - 1);
    }
    for (long t : tokens) {
      int p = ring.partitionOfToken(t);
      assertThat(p).as("seed %d token %s", seed, Long.toUnsignedString(t)).isBetween(0, q - 1);
      assertThat(Long.compareUnsigned(ring.partitionStart(p), t)).isLessThanOrEqualTo(0);
      if (p < q - 1) {
        assertThat(Long.compareUnsigned(t, ring.partitionEnd(p))).isLessThan(0);
      }
    }
    assertThat(ring.partitionOfToken(0)).isZero();
    assertThat(ring.partitionOfToken(-1L)).isEqualTo(q - 1);
    assertThat(ring.partitionStart(0)).isZero();
    assertThat(ring.partitionEnd(q - 1)).as("2^64 wraps to 0").isZero();
    for (int p = 0; p + 1 < q; p++) {
      assertThat(ring.partitionEnd(p)).isEqualTo(ring.partitionStart(p + 1));
    }
    for (int i = 0; i < 100; i++) {
      assertThat(ring.partitionOf(key(i))).isEqualTo(ring.partitionOfToken(KeyHash.token(key(i))));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 7, 20})
  void preferenceListsAreDistinctAndStartAtTheOwner(int s) {
    Ring ring = Ring.initial(256, 3, nodes(s));
    for (int p = 0; p < ring.partitionCount(); p++) {
      List<String> pref = ring.preferenceList(p);
      assertThat(pref).hasSize(s).doesNotHaveDuplicates();
      assertThat(pref.get(0)).isEqualTo(ring.owner(p));
      // Clockwise: each entry is the first new node met walking from p.
      List<String> walk = new ArrayList<>(new LinkedHashSet<>(rotate(ring.owners(), p)));
      assertThat(pref).isEqualTo(walk);
      if (s >= 4) {
        // Home replicas are the next N partitions: no skip needed.
        for (int i = 0; i < 3; i++) {
          assertThat(pref.get(i)).isEqualTo(ring.owner((p + i) % ring.partitionCount()));
        }
      }
    }
    for (int i = 0; i < 200; i++) {
      assertThat(ring.preferenceList(key(i)))
          .isEqualTo(ring.preferenceList(ring.partitionOf(key(i))));
    }
    assertThatThrownBy(() -> ring.preferenceList(0).add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  private static List<String> rotate(List<String> owners, int from) {
    List<String> out = new ArrayList<>(owners.subList(from, owners.size()));
    out.addAll(owners.subList(0, from));
    return out;
  }

  @Test
  void initialIsDeterministic() {
    Map<String, Integer> w = new TreeMap<>(Map.of("c", 1, "a", 2, "b", 1, "d", 3));
    Ring a = Ring.initial(1024, 3, w);
    Ring b = Ring.initial(1024, 3, new TreeMap<>(w));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.owners()).isEqualTo(b.owners());
    assertThat(a.withNode("e", 1).withoutNode("a")).isEqualTo(b.withNode("e", 1).withoutNode("a"));
  }

  @Test
  void changesBumpTheVersionAndLeaveTheOriginalAlone() {
    Ring ring = Ring.initial(256, 3, nodes(4));
    List<String> before = List.copyOf(ring.owners());
    assertThat(ring.version()).isEqualTo(1);
    Ring grown = ring.withNode("new", 2);
    assertThat(grown.version()).isEqualTo(2);
    assertThat(ring.nodes()).doesNotContain("new");
    assertThat(ring.owners()).isEqualTo(before);
    assertThat(grown.weight("new")).isEqualTo(2);
    assertThat(grown.nodes()).contains("new").isSorted();
    Ring shrunk = grown.withoutNode("node-00");
    assertThat(shrunk.version()).isEqualTo(3);
    assertThat(shrunk.partitionsOf("node-00")).isEmpty();
    assertThat(grown.partitionsOf("node-00")).isNotEmpty();
    Ring reweighted = shrunk.withMembers(Map.of("node-01", 1, "node-02", 1, "node-03", 1, "new", 1),
        BalancedClaim.INSTANCE);
    assertThat(reweighted.version()).isEqualTo(4);
    assertThat(reweighted.partitionsOf("new")).hasSize(64);
  }

  @Test
  void diffListsExactlyTheChangedPartitions() {
    Ring ring = Ring.initial(256, 3, nodes(4));
    Ring grown = ring.withNode("node-04", 1);
    List<Move> moves = Ring.diff(ring, grown);
    assertThat(moves).hasSize(51).allSatisfy(m -> assertThat(m.to()).isEqualTo("node-04"));
    for (Move m : moves) {
      assertThat(ring.owner(m.partition())).isEqualTo(m.from());
      assertThat(grown.owner(m.partition())).isEqualTo(m.to());
    }
    Set<Integer> moved = new HashSet<>();
    moves.forEach(m -> moved.add(m.partition()));
    for (int p = 0; p < 256; p++) {
      if (!moved.contains(p)) {
        assertThat(grown.owner(p)).isEqualTo(ring.owner(p));
      }
    }
    assertThat(Ring.diff(ring, ring)).isEmpty();
    assertThatThrownBy(() -> Ring.diff(ring, Ring.initial(64, 3, nodes(4))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withOwnersAppliesATransfer() {
    Ring ring = Ring.initial(64, 2, nodes(3));
    Ring target = ring.withNode("node-03", 1);
    Move first = Ring.diff(ring, target).get(0);
    List<String> owners = new ArrayList<>(ring.owners());
    owners.set(first.partition(), first.to());
    assertThatThrownBy(() -> ring.withOwners(owners))
        .as("node-03 is not a member of the old ring")
        .isInstanceOf(IllegalArgumentException.class);
    Ring staged = target.withOwners(owners);
    assertThat(staged.version()).isEqualTo(target.version() + 1);
    assertThat(staged.owner(first.partition())).isEqualTo("node-03");
    assertThat(Ring.diff(ring, staged)).containsExactly(first);
    assertThatThrownBy(() -> target.withOwners(owners.subList(0, 10)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aCustomClaimIsUsedAndChecked() {
    Claim allToFirst = (owners, weights, n) ->
        Collections.nCopies(owners.size(), weights.firstKey());
    Ring ring = Ring.initial(16, 2, nodes(3), allToFirst);
    assertThat(ring.partitionsOf("node-00")).hasSize(16);
    assertThat(ring.preferenceList(5)).containsExactly("node-00");
    Claim broken = (owners, weights, n) -> Collections.nCopies(owners.size(), "stranger");
    assertThatThrownBy(() -> Ring.initial(16, 2, nodes(3), broken))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> Ring.initial(100, 3, nodes(3)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ring.initial(1, 3, nodes(3)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ring.initial(256, 0, nodes(3)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ring.initial(256, 3, Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ring.initial(256, 3, Map.of("a", 0)))
        .isInstanceOf(IllegalArgumentException.class);
    Ring ring = Ring.initial(256, 3, nodes(1));
    assertThatThrownBy(() -> ring.withoutNode("node-00"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ring.withoutNode("nobody"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ring.withNode("node-00", 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ring.owner(256)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void moreNodesThanPartitions() {
    Ring ring = Ring.initial(4, 2, nodes(6));
    Set<String> owners = new HashSet<>(ring.owners());
    assertThat(owners).hasSize(4);
    assertThat(ring.preferenceList(0)).hasSize(4).doesNotHaveDuplicates();
    assertThat(ring.nodes()).hasSize(6);
  }
}
