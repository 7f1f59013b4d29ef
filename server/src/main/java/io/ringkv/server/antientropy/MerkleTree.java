package io.ringkv.server.antientropy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The hash tree of one partition on one replica (Dynamo section 4.7, kept up to date on every
 * write as Riak's active anti-entropy does): a fixed fan-out tree whose L leaves cover equal token
 * ranges of the partition. A leaf's hash is the XOR of {@link #keyHash} over the keys stored in its
 * range; an inner node's hash is the XOR of its children's. Two replicas holding the same versions
 * of the same keys have equal trees; where they differ, the nodes above the differing keys differ
 * (but for a 2^-64 chance per node), so an exchange descends only into those.
 *
 * <p>Why XOR, and why this is safe to share between threads: XOR is its own inverse and commutes,
 * so a write is one O(depth) update (remove the key's old hash, add its new one, {@link #toggle}),
 * and updates from different storage threads may land in any order without a lock: each is an
 * atomic XOR on each level. A reader may see an update applied to a leaf and not yet to its
 * parent; that costs at worst one spurious descent, which finds no differing key. Building from a
 * storage scan XORs in the same way, so a build and concurrent writes also commute (see {@code
 * HashTrees}). The shape never changes; the memory is fixed: 8 bytes per leaf plus 1/15 of that
 * for the inner nodes, whatever the number of keys.
 */
public final class MerkleTree {

  /** Children per inner node. */
  public static final int FAN_OUT = 16;

  private static final long KEY_SEED = 0x52494e474b56L; // "RINGKV"

  private final AtomicLongArray[] levels; // [0] the leaves ... [last] the root

  /** An empty tree (no keys) with {@code leaves} leaves, a power of two. */
  public MerkleTree(int leaves) {
    if (leaves < 1 || Integer.bitCount(leaves) != 1) {
      throw new IllegalArgumentException("leaves must be a power of two: " + leaves);
    }
    List<AtomicLongArray> out = new ArrayList<>();
    int width = leaves;
    out.add(new AtomicLongArray(width));
    while (width > 1) {
      width = (width + FAN_OUT - 1) / FAN_OUT;
      out.add(new AtomicLongArray(width));
    }
    levels = out.toArray(new AtomicLongArray[0]);
  }

  /** The hash of one stored key: its storage key and the exact bytes of its stored object. */
  public static long keyHash(byte[] storageKey, byte[] storedObject) {
    return XxHash64.hash(storedObject, XxHash64.hash(storageKey, KEY_SEED));
  }

  public int leaves() {
    return levels[0].length();
  }

  /** The level of the root; the leaves are level 0. */
  public int rootLevel() {
    return levels.length - 1;
  }

  /** How many nodes level {@code level} has. */
  public int width(int level) {
    return levels[level].length();
  }

  public long hash(int level, int index) {
    return levels[level].get(index);
  }

  public long root() {
    return levels[levels.length - 1].get(0);
  }

  /** Adds a key hash to a leaf, or removes it if it is there (XOR), and updates the ancestors. */
  public void toggle(int leaf, long keyHash) {
    int i = leaf;
    for (AtomicLongArray level : levels) {
      level.getAndAccumulate(i, keyHash, (a, b) -> a ^ b);
      i /= FAN_OUT;
    }
  }

  /** The memory this tree's hashes take, in bytes (excluding object headers). */
  public long bytes() {
    long n = 0;
    for (AtomicLongArray level : levels) {
      n += 8L * level.length();
    }
    return n;
  }

  /** The children (at {@code level - 1}) of the given nodes of {@code level}, in order. */
  public static List<Integer> children(int childWidth, List<Integer> parents) {
    List<Integer> out = new ArrayList<>(parents.size() * FAN_OUT);
    for (int p : parents) {
      int end = Math.min(childWidth, (p + 1) * FAN_OUT);
      for (int c = p * FAN_OUT; c < end; c++) {
        out.add(c);
      }
    }
    return out;
  }

  /** The result of comparing two trees: the differing leaves, and how many nodes were compared. */
  public record Diff(List<Integer> leaves, long nodesCompared) {}

  /**
   * The leaves where two trees of the same shape differ, descending from the root only into nodes
   * that differ, the way an exchange does across the network.
   */
  public static Diff diff(MerkleTree a, MerkleTree b) {
    if (a.leaves() != b.leaves()) {
      throw new IllegalArgumentException("trees differ in shape: " + a.leaves() + " vs "
          + b.leaves() + " leaves");
    }
    long compared = 0;
    List<Integer> differing = List.of(0);
    for (int level = a.rootLevel(); ; level--) {
      List<Integer> next = new ArrayList<>();
      for (int i : differing) {
        compared++;
        if (a.hash(level, i) != b.hash(level, i)) {
          next.add(i);
        }
      }
      if (level == 0 || next.isEmpty()) {
        return new Diff(level == 0 ? next : List.of(), compared);
      }
      differing = children(a.width(level - 1), next);
    }
  }
}
