package io.ringkv.ring;

/**
 * Local repair of spacing conflicts (two partitions of a node closer than n). For each conflicting
 * partition, in ring order, one fix is applied: hand the partition to another node with room under
 * its quota, or swap it with a partition elsewhere, such that both touched partitions end up
 * conflict-free (a complete fix) or, when {@code partial}, such that the number of conflicting pairs
 * drops. A complete fix is preferred, then the fix moving fewest partitions relative to {@code
 * original} (when given), then the one removing most conflicts. Every fix strictly lowers the number
 * of conflicting pairs, so this ends; it may stop with conflicts left (always so when the spacing is
 * unachievable). Partial fixes are for unachievable spacings, where they keep the damage low.
 */
final class Repair {

  private Repair() {}

  /**
   * Repairs {@code o} in place, keeping every count within [lo, hi].
   *
   * @return the number of conflicting partitions left
   */
  static int repair(
      int[] o, int[] original, int[] lo, int[] hi, int n, boolean partial, int maxPasses) {
    int q = o.length;
    int[] cnt = Layout.counts(o, lo.length);
    int left = 0;
    for (int pass = 0; pass < maxPasses; pass++) {
      boolean fixed = false;
      left = 0;
      for (int p = 0; p < q; p++) {
        if (Layout.conflictsAt(o, p, n) == 0) {
          continue;
        }
        if (fix(o, original, cnt, lo, hi, n, partial, p)) {
          fixed = true;
        }
        if (Layout.conflictsAt(o, p, n) > 0) {
          left++;
        }
      }
      if (left == 0 || !fixed) {
        break;
      }
    }
    return left;
  }

  private static boolean fix(
      int[] o, int[] original, int[] cnt, int[] lo, int[] hi, int n, boolean partial, int p) {
    int q = o.length;
    int a = o[p];
    int before = Layout.conflictsAt(o, p, n);
    long bestKey = Long.MAX_VALUE;
    int bestNode = -1;
    int bestSwap = -1;
    if (cnt[a] > lo[a]) {
      for (int b = 0; b < cnt.length; b++) {
        if (b != a && cnt[b] < hi[b]) {
          int after = Layout.conflictsFor(o, p, b, n);
          long key = key(after == 0, cost(original, p, a, b), after - before);
          if ((partial ? after < before : after == 0) && key < bestKey) {
            bestKey = key;
            bestNode = b;
          }
        }
      }
    }
    int[] atPFor = new int[cnt.length];
    for (int b = 0; b < cnt.length; b++) {
      atPFor[b] = Layout.conflictsFor(o, p, b, n);
    }
    for (int k = 1; k < q && bestKey > key(true, original == null ? 0 : -2, -q); k++) {
      int r = (p + k) % q;
      int b = o[r];
      if (b == a || (!partial && atPFor[b] > (k < n || q - k < n ? 1 : 0))) {
        continue;
      }
      int was = before + Layout.conflictsAt(o, r, n);
      int atP;
      int atR;
      if (k >= n && q - k >= n) {
        // p and r are not neighbours: each side sees only its own window.
        atP = atPFor[b];
        atR = Layout.conflictsFor(o, r, a, n);
      } else {
        o[p] = b;
        o[r] = a;
        atP = Layout.conflictsAt(o, p, n);
        atR = Layout.conflictsAt(o, r, n);
        o[p] = a;
        o[r] = b;
      }
      long key =
          key(atP + atR == 0, cost(original, p, a, b) + cost(original, r, b, a), atP + atR - was);
      if ((partial ? atP + atR < was : atP + atR == 0) && key < bestKey) {
        bestKey = key;
        bestNode = -1;
        bestSwap = r;
      }
    }
    if (bestSwap >= 0) {
      o[p] = o[bestSwap];
      o[bestSwap] = a;
      return true;
    }
    if (bestNode >= 0) {
      o[p] = bestNode;
      cnt[a]--;
      cnt[bestNode]++;
      return true;
    }
    return false;
  }

  /** Smaller is better: a complete fix first, then fewer moves, then a larger drop in conflicts. */
  private static long key(boolean complete, int cost, int delta) {
    return ((complete ? 0L : 1L) << 40) | ((long) (cost + 4) << 20) | (delta + (1 << 19));
  }

  /** Change in moved partitions when partition p goes from node {@code from} to node {@code to}. */
  private static int cost(int[] original, int p, int from, int to) {
    if (original == null) {
      return 0;
    }
    return (original[p] != to ? 1 : 0) - (original[p] != from ? 1 : 0);
  }
}
