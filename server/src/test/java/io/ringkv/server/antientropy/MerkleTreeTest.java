package io.ringkv.server.antientropy;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.VersionedStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hash tree on its own: random pairs of key sets with random differences (keys only on one
 * side, keys with other contents), over a random tree shape. The diff finds exactly the keys that
 * differ, and the nodes it compares and the leaves it reports are bounded by the number of
 * differences, not by the number of keys. Seeded; {@code -Dringkv.seed=S} replays a case.
 */
class MerkleTreeTest {

  static List<Long> seeds() {
    return Seeds.of("MerkleTreeTest", 40);
  }

  private static final class Side {
    final TreeMap<String, byte[]> stored = new TreeMap<>(); // storage key (as ISO-8859-1) -> value
    final MerkleTree tree;
    final TreeShape shape;
    final int partition;

    Side(TreeShape shape, int partition) {
      this.shape = shape;
      this.partition = partition;
      this.tree = new MerkleTree(shape.leaves());
    }

    void put(byte[] storageKey, byte[] value) {
      String k = new String(storageKey, StandardCharsets.ISO_8859_1);
      byte[] old = stored.put(k, value);
      int leaf = shape.leafOf(VersionedStore.token(storageKey));
      if (old != null) {
        tree.toggle(leaf, MerkleTree.keyHash(storageKey, old));
      }
      tree.toggle(leaf, MerkleTree.keyHash(storageKey, value));
    }

    void remove(byte[] storageKey) {
      byte[] old = stored.remove(new String(storageKey, StandardCharsets.ISO_8859_1));
      tree.toggle(shape.leafOf(VersionedStore.token(storageKey)),
          MerkleTree.keyHash(storageKey, old));
    }

    /** The keys of the given leaves, with their values, by a range lookup per leaf. */
    Map<String, byte[]> inLeaves(List<Integer> leaves) {
      Map<String, byte[]> out = new TreeMap<>();
      for (int leaf : leaves) {
        byte[] from = shape.lowerBound(partition, leaf);
        byte[] to = shape.upperBound(partition, leaf + 1);
        String f = new String(from, StandardCharsets.ISO_8859_1);
        out.putAll(to == null ? stored.tailMap(f)
            : stored.subMap(f, new String(to, StandardCharsets.ISO_8859_1)));
      }
      return out;
    }
  }

  /** A random storage key inside the partition. */
  private static byte[] keyIn(SplittableRandom r, TreeShape shape, int partition) {
    while (true) {
      byte[] key = ("k" + r.nextLong()).getBytes(StandardCharsets.UTF_8);
      byte[] sk = VersionedStore.storageKey(key);
      if (shape.partitionOf(VersionedStore.token(sk)) == partition) {
        return sk;
      }
    }
  }

  private static byte[] value(SplittableRandom r) {
    byte[] v = new byte[1 + r.nextInt(40)];
    r.nextBytes(v);
    return v;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void diffFindsExactlyTheDifferingKeysTouchingNodesInProportionToThem(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    TreeShape shape = new TreeShape(1 << (1 + r.nextInt(6)), 1 << r.nextInt(13));
    int partition = r.nextInt(shape.partitions());
    Side a = new Side(shape, partition);
    Side b = new Side(shape, partition);
    int common = r.nextInt(4) == 0 ? r.nextInt(10) : r.nextInt(20_000);
    for (int i = 0; i < common; i++) {
      byte[] k = keyIn(r, shape, partition);
      byte[] v = value(r);
      a.put(k, v);
      b.put(k, v);
    }
    // Differences: keys only on a, only on b, with other values, removed from one side; some
    // keys are changed and changed back (the tree must forget the intermediate state).
    TreeSet<String> differing = new TreeSet<>();
    int changes = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(r.nextBoolean() ? 5 : 200);
    List<String> commonKeys = new ArrayList<>(a.stored.keySet());
    for (int i = 0; i < changes; i++) {
      int kind = r.nextInt(5);
      if (kind <= 1 || commonKeys.isEmpty()) {
        byte[] k = keyIn(r, shape, partition);
        (kind == 0 ? a : b).put(k, value(r));
        differing.add(new String(k, StandardCharsets.ISO_8859_1));
      } else {
        String ks = commonKeys.get(r.nextInt(commonKeys.size()));
        byte[] k = ks.getBytes(StandardCharsets.ISO_8859_1);
        Side side = r.nextBoolean() ? a : b;
        if (kind == 2 && side.stored.containsKey(ks)) {
          side.remove(k);
        } else if (kind == 3) {
          byte[] original = side.stored.get(ks);
          side.put(k, value(r));
          if (original != null) {
            side.put(k, original); // changed back: no longer differs because of this change
            continue;
          }
        } else {
          side.put(k, value(r));
        }
        differing.add(ks);
      }
    }
    differing.removeIf(k -> Arrays.equals(a.stored.get(k), b.stored.get(k)));
    String why = "seed " + seed + ": " + shape + ", " + common + " common keys, "
        + differing.size() + " differing";

    MerkleTree.Diff diff = MerkleTree.diff(a.tree, b.tree);
    TreeSet<String> found = new TreeSet<>();
    Map<String, byte[]> onA = a.inLeaves(diff.leaves());
    Map<String, byte[]> onB = b.inLeaves(diff.leaves());
    TreeSet<String> keys = new TreeSet<>(onA.keySet());
    keys.addAll(onB.keySet());
    for (String k : keys) {
      if (!Arrays.equals(onA.get(k), onB.get(k))) {
        found.add(k);
      }
    }
    assertThat(found).as(why).isEqualTo(differing);
    assertThat(a.tree.root() == b.tree.root()).as(why).isEqualTo(differing.isEmpty());
    // Work in proportion to the differences: at most one leaf per differing key, and per
    // differing key at most FAN_OUT nodes compared on each level below the root.
    int d = differing.size();
    assertThat(diff.leaves().size()).as(why).isLessThanOrEqualTo(d);
    assertThat(diff.nodesCompared()).as(why)
        .isLessThanOrEqualTo(1 + (long) d * MerkleTree.FAN_OUT * a.tree.rootLevel());
    System.out.printf("seed %d: %s keys=%d differing=%d leaves=%d nodes compared=%d%n",
        seed, shape, common, d, diff.leaves().size(), diff.nodesCompared());
  }

  @Test
  void emptyTreesAndInsertOrderDoNotMatter() {
    MerkleTree x = new MerkleTree(64);
    MerkleTree y = new MerkleTree(64);
    assertThat(x.root()).isZero();
    long h1 = MerkleTree.keyHash(new byte[] {1}, new byte[] {2});
    long h2 = MerkleTree.keyHash(new byte[] {3}, new byte[] {4});
    x.toggle(5, h1);
    x.toggle(40, h2);
    y.toggle(40, h2);
    y.toggle(5, h1);
    assertThat(x.root()).isEqualTo(y.root()).isNotZero();
    assertThat(MerkleTree.diff(x, y).leaves()).isEmpty();
    y.toggle(40, h2);
    assertThat(MerkleTree.diff(x, y).leaves()).containsExactly(40);
    assertThat(x.rootLevel()).isEqualTo(2); // 64 leaves -> 4 -> 1
    assertThat(x.bytes()).isEqualTo(8L * (64 + 4 + 1));
  }

  @Test
  void leafRangesTileThePartitionInStorageKeyOrder() {
    TreeShape shape = new TreeShape(8, 16);
    for (int p = 0; p < 8; p++) {
      for (int leaf = 0; leaf < 16; leaf++) {
        long start = shape.leafStart(p, leaf);
        assertThat(shape.partitionOf(start)).isEqualTo(p);
        assertThat(shape.leafOf(start)).isEqualTo(leaf);
        assertThat(shape.leafOf(start - 1 + (1L << (64 - 3 - 4)))).isEqualTo(leaf);
        byte[] upper = shape.upperBound(p, leaf + 1);
        if (p == 7 && leaf == 15) {
          assertThat(upper).isNull();
        } else {
          assertThat(Arrays.compareUnsigned(shape.lowerBound(p, leaf), upper)).isNegative();
        }
      }
    }
  }
}
