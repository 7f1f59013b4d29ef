package io.ringkv.ring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The consistent-hash ring, an immutable value: Dynamo's third partitioning strategy (Riak's). The
 * 2^64 token space (the top 64 bits of a key's MD5, {@link KeyHash#token}) is split into Q equal
 * partitions, Q a power of two fixed at creation; partition p covers the unsigned tokens [p * 2^64/Q,
 * (p+1) * 2^64/Q). Each partition has one owner, a member node; each member has a weight (positive)
 * and owns about Q * weight / total weight partitions, as decided by a {@link Claim} (by default
 * {@link BalancedClaim}).
 *
 * <p>The preference list of a partition is its owner followed by the owners of the next partitions
 * clockwise, each node once: the first N are the home replicas of the partition's keys, the rest
 * their fallbacks. It has one entry per node owning at least one partition, so S entries for a
 * ring from {@link BalancedClaim} with S <= Q and no weight so small that its share is under one
 * partition (a member owning none, e.g. through {@link #withOwners}, is in no preference list).
 * Lookups are a shift and array reads; preference lists are computed once per ring, on first use.
 *
 * <p>Every change returns a new ring whose {@link #version()} is one more. Two rings are equal when
 * version, N, weights and owners are.
 */
public final class Ring {

  /** Q when the cluster configuration does not say. */
  public static final int DEFAULT_PARTITIONS = 256;

  /** The largest Q accepted (the claim is quadratic in Q). */
  public static final int MAX_PARTITIONS = 4096;

  private final long version;
  private final int targetN;
  private final int shift;
  private final String[] names;
  private final int[] weights;
  private final int[] owners;
  private volatile int[][] preferences;

  private Ring(long version, int targetN, String[] names, int[] weights, int[] owners) {
    this.version = version;
    this.targetN = targetN;
    this.shift = 64 - Integer.numberOfTrailingZeros(owners.length);
    this.names = names;
    this.weights = weights;
    this.owners = owners;
  }

  /** A new ring (version 1) laid out by {@link BalancedClaim}. */
  public static Ring initial(int partitions, int targetN, Map<String, Integer> nodeWeights) {
    return initial(partitions, targetN, nodeWeights, BalancedClaim.INSTANCE);
  }

  /**
   * A new ring (version 1) laid out by {@code claim}. Deterministic when the claim is.
   *
   * @param partitions Q, a power of two in [2, {@link #MAX_PARTITIONS}]
   * @param targetN the replication factor N, at least 1
   * @param nodeWeights at least one node; weights positive
   */
  public static Ring initial(
      int partitions, int targetN, Map<String, Integer> nodeWeights, Claim claim) {
    if (partitions < 2 || partitions > MAX_PARTITIONS || Integer.bitCount(partitions) != 1) {
      throw new IllegalArgumentException(
          "partitions must be a power of two in [2, " + MAX_PARTITIONS + "]: " + partitions);
    }
    if (targetN < 1) {
      throw new IllegalArgumentException("targetN must be >= 1: " + targetN);
    }
    SortedMap<String, Integer> members = checkMembers(nodeWeights);
    return claimed(1, targetN, members, Collections.nCopies(partitions, null), claim);
  }

  /**
   * A ring exactly as it was (read back from disk or from a peer): version, N, weights and the
   * owner of every partition. Checks what the other factories guarantee.
   */
  public static Ring restore(
      long version, int targetN, Map<String, Integer> nodeWeights, List<String> owners) {
    int q = owners.size();
    if (q < 2 || q > MAX_PARTITIONS || Integer.bitCount(q) != 1) {
      throw new IllegalArgumentException(
          "partitions must be a power of two in [2, " + MAX_PARTITIONS + "]: " + q);
    }
    if (targetN < 1 || version < 1) {
      throw new IllegalArgumentException("bad ring: version " + version + ", N " + targetN);
    }
    return build(version, targetN, checkMembers(nodeWeights), owners);
  }

  public long version() {
    return version;
  }

  /** Q. */
  public int partitionCount() {
    return owners.length;
  }

  /** N, the number of home replicas per key. */
  public int targetN() {
    return targetN;
  }

  /** The members, sorted. */
  public List<String> nodes() {
    return List.of(names);
  }

  /** The members and their weights, sorted by name. */
  public SortedMap<String, Integer> weights() {
    SortedMap<String, Integer> m = new TreeMap<>();
    for (int i = 0; i < names.length; i++) {
      m.put(names[i], weights[i]);
    }
    return Collections.unmodifiableSortedMap(m);
  }

  /** The weight of a member; throws IllegalArgumentException for a non-member. */
  public int weight(String node) {
    return weights[indexOf(node)];
  }

  public int partitionOf(byte[] key) {
    return partitionOfToken(KeyHash.token(key));
  }

  /** The partition of an (unsigned) token: its top log2(Q) bits. */
  public int partitionOfToken(long token) {
    return (int) (token >>> shift);
  }

  /** The first token of partition p (unsigned). */
  public long partitionStart(int partition) {
    checkPartition(partition);
    return (long) partition << shift;
  }

  /**
   * The first token after partition p (unsigned, exclusive). For the last partition that is 2^64,
   * returned as 0 (2^64 mod 2^64): the ring wraps.
   */
  public long partitionEnd(int partition) {
    checkPartition(partition);
    return partition == owners.length - 1 ? 0L : (long) (partition + 1) << shift;
  }

  public String owner(int partition) {
    checkPartition(partition);
    return names[owners[partition]];
  }

  /** The owner of every partition, index = partition (an unmodifiable view). */
  public List<String> owners() {
    return Preferences.view(owners, names);
  }

  /** The preference list of the key's partition; see {@link #preferenceList(int)}. */
  public List<String> preferenceList(byte[] key) {
    return preferenceList(partitionOf(key));
  }

  /**
   * The partition's owner, then the owners clockwise, each distinct node once (an unmodifiable
   * view, no copying): the first N are home replicas, the rest fallbacks.
   */
  public List<String> preferenceList(int partition) {
    checkPartition(partition);
    int[][] table = preferences;
    if (table == null) {
      table = Preferences.build(owners, names.length);
      preferences = table;
    }
    return Preferences.view(table[partition], names);
  }

  /** The partitions a node owns, ascending (empty for a non-member). */
  public List<Integer> partitionsOf(String node) {
    int i = Arrays.binarySearch(names, node);
    List<Integer> out = new ArrayList<>();
    for (int p = 0; i >= 0 && p < owners.length; p++) {
      if (owners[p] == i) {
        out.add(p);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** This ring with a new member, claimed by {@link BalancedClaim}. */
  public Ring withNode(String node, int weight) {
    Objects.requireNonNull(node, "node");
    if (Arrays.binarySearch(names, node) >= 0) {
      throw new IllegalArgumentException("already a member: " + node);
    }
    SortedMap<String, Integer> members = new TreeMap<>(weights());
    members.put(node, weight);
    return withMembers(members, BalancedClaim.INSTANCE);
  }

  /** This ring without a member, its partitions claimed by {@link BalancedClaim}. */
  public Ring withoutNode(String node) {
    indexOf(node);
    SortedMap<String, Integer> members = new TreeMap<>(weights());
    members.remove(node);
    return withMembers(members, BalancedClaim.INSTANCE);
  }

  /**
   * This ring with a new membership (nodes added, removed or re-weighted at once, as a staged plan
   * would commit them), claimed by {@code claim} from the current owners.
   */
  public Ring withMembers(Map<String, Integer> nodeWeights, Claim claim) {
    return claimed(version + 1, targetN, checkMembers(nodeWeights), owners(), claim);
  }

  /**
   * This ring with the given owners (index = partition), members and weights unchanged: for
   * transfer logic that hands partitions over one by one.
   */
  public Ring withOwners(List<String> newOwners) {
    if (newOwners.size() != owners.length) {
      throw new IllegalArgumentException(
          "need " + owners.length + " owners, got " + newOwners.size());
    }
    return build(version + 1, targetN, weights(), newOwners);
  }

  /** The partitions whose owner differs, ascending by partition. Both rings must have the same Q. */
  public static List<Move> diff(Ring from, Ring to) {
    if (from.partitionCount() != to.partitionCount()) {
      throw new IllegalArgumentException(
          "partition counts differ: " + from.partitionCount() + " vs " + to.partitionCount());
    }
    List<Move> moves = new ArrayList<>();
    for (int p = 0; p < from.partitionCount(); p++) {
      String a = from.owner(p);
      String b = to.owner(p);
      if (!a.equals(b)) {
        moves.add(new Move(p, a, b));
      }
    }
    return moves;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ring r
        && version == r.version
        && targetN == r.targetN
        && Arrays.equals(names, r.names)
        && Arrays.equals(weights, r.weights)
        && Arrays.equals(owners, r.owners);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, targetN, Arrays.hashCode(names), Arrays.hashCode(owners));
  }

  @Override
  public String toString() {
    return "Ring{version=" + version + ", Q=" + owners.length + ", N=" + targetN + ", weights="
        + weights() + "}";
  }

  private static Ring claimed(
      long version, int targetN, SortedMap<String, Integer> members, List<String> current,
      Claim claim) {
    List<String> owners = claim.claim(current, members, targetN);
    if (owners == null || owners.size() != current.size()) {
      throw new IllegalStateException("the claim must return one owner per partition");
    }
    return build(version, targetN, members, owners);
  }

  private static Ring build(
      long version, int targetN, SortedMap<String, Integer> members, List<String> ownerNames) {
    String[] names = members.keySet().toArray(new String[0]);
    int[] weights = new int[names.length];
    for (int i = 0; i < names.length; i++) {
      weights[i] = members.get(names[i]);
    }
    int[] owners = new int[ownerNames.size()];
    for (int p = 0; p < owners.length; p++) {
      String owner = ownerNames.get(p);
      owners[p] = owner == null ? -1 : Arrays.binarySearch(names, owner);
      if (owners[p] < 0) {
        throw new IllegalArgumentException("partition " + p + ": not a member: " + owner);
      }
    }
    return new Ring(version, targetN, names, weights, owners);
  }

  private static SortedMap<String, Integer> checkMembers(Map<String, Integer> nodeWeights) {
    SortedMap<String, Integer> members = new TreeMap<>();
    nodeWeights.forEach(
        (node, weight) -> {
          Objects.requireNonNull(node, "node");
          if (weight == null || weight < 1) {
            throw new IllegalArgumentException("weight of " + node + " must be >= 1: " + weight);
          }
          members.put(node, weight);
        });
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a ring needs at least one node");
    }
    return members;
  }

  private int indexOf(String node) {
    int i = Arrays.binarySearch(names, Objects.requireNonNull(node, "node"));
    if (i < 0) {
      throw new IllegalArgumentException("not a member: " + node);
    }
    return i;
  }

  private void checkPartition(int partition) {
    if (partition < 0 || partition >= owners.length) {
      throw new IndexOutOfBoundsException(
          "partition " + partition + " of " + owners.length);
    }
  }
}
