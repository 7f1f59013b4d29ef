package io.ringkv.server.antientropy;

/**
 * Where a key falls among the hash trees: the ring's Q partitions, each split into L leaves by the
 * next bits of the key's token. A partition and a leaf are contiguous token ranges, and storage keys
 * start with the token, so the keys of a leaf are one contiguous storage range: an exchange reads a
 * leaf with one range scan.
 *
 * @param partitions Q, a power of two, at least 2
 * @param leaves L, a power of two, at least 1
 */
public record TreeShape(int partitions, int leaves) {

  public TreeShape {
    if (partitions < 2 || Integer.bitCount(partitions) != 1) {
      throw new IllegalArgumentException("partitions must be a power of two >= 2: " + partitions);
    }
    if (leaves < 1 || Integer.bitCount(leaves) != 1 || leaves > 1 << 20) {
      throw new IllegalArgumentException("leaves must be a power of two in [1, 2^20]: " + leaves);
    }
  }

  private int partitionBits() {
    return Integer.numberOfTrailingZeros(partitions);
  }

  private int leafBits() {
    return Integer.numberOfTrailingZeros(leaves);
  }

  /** The partition of an unsigned token (as {@code Ring.partitionOfToken}). */
  public int partitionOf(long token) {
    return (int) (token >>> (64 - partitionBits()));
  }

  /** The leaf of a token within its partition. */
  public int leafOf(long token) {
    return leaves == 1 ? 0 : (int) ((token << partitionBits()) >>> (64 - leafBits()));
  }

  /** The first token of a leaf of a partition. */
  public long leafStart(int partition, int leaf) {
    long p = (long) partition << (64 - partitionBits());
    return leaves == 1 ? p : p | ((long) leaf << (64 - partitionBits() - leafBits()));
  }

  /** The first storage key of leaves {@code [fromLeaf, ...)} of the partition. */
  public byte[] lowerBound(int partition, int fromLeaf) {
    return tokenBytes(leafStart(partition, fromLeaf));
  }

  /**
   * The storage key bounding leaves {@code [..., toLeafExclusive)} of the partition from above, or
   * null for the end of the last partition (the ring wraps at 2^64).
   */
  public byte[] upperBound(int partition, int toLeafExclusive) {
    if (toLeafExclusive < leaves) {
      return tokenBytes(leafStart(partition, toLeafExclusive));
    }
    return partition + 1 < partitions ? tokenBytes(leafStart(partition + 1, 0)) : null;
  }

  static byte[] tokenBytes(long token) {
    byte[] out = new byte[8];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (token >>> (56 - 8 * i));
    }
    return out;
  }
}
