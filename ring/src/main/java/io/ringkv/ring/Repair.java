package io.ringkv.ring;

/**
 * Local repair of spacing conflicts (two partitions of a node closer than n). For each conflicting
 * partition, in ring order, the cheapest single fix is applied: hand the partition to another node
 * that is free of conflicts there and has room under its quota, or swap it with a partition
 * elsewhere such that both end up conflict-free. Cheapest means fewest partitions moved relative to
 * {@code original} (when given). Every fix strictly lowers the number of conflicting pairs, so this
 * ends; it may stop with conflicts left when no single fix exists.
 */
final class Repair {

  private Repair() {}

  /**
   * Repairs {@code o} in place, keeping every count within [lo, hi].
   *
   * @return the number of conflicting partitions left
   */
  static int repair(int[] o, int[] original, int[] lo, int[] hi, int n, int maxPasses) {
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
        if (fix(o, original, cnt, lo, hi, n, p)) {
          fixed = true;
        } else {
          left++;
        }
      }
      if (left == 0 || !fixed) {
        break;
      }
    }
    return left;
  }

  private static boolean fix(int[] o, int[] original, int[] cnt, int[] lo, int[] hi, int n, int p) {
    int q = o.length;
    int a = o[p];
    int bestCost = Integer.MAX_VALUE;
    int bestNode = -1;
    int bestSwap = -1;
    int cheapest = original == null ? 0 : -2;
    if (cnt[a] > lo[a]) {
      for (int b = 0; b < cnt.length; b++) {
        if (b != a && cnt[b] < hi[b] && Layout.eligible(o, p, b, n)) {
          int cost = cost(original, p, a, b);
          if (cost < bestCost) {
            bestCost = cost;
            bestNode = b;
          }
        }
      }
    }
    for (int k = 1; k < q && bestCost > cheapest; k++) {
      int r = (p + k) % q;
      int b = o[r];
      if (b == a) {
        continue;
      }
      int cost = cost(original, p, a, b) + cost(original, r, b, a);
      if (cost >= bestCost) {
        continue;
      }
      o[p] = b;
      o[r] = a;
      boolean ok = Layout.conflictsAt(o, p, n) == 0 && Layout.conflictsAt(o, r, n) == 0;
      o[p] = a;
      o[r] = b;
      if (ok) {
        bestCost = cost;
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

  /** Change in moved partitions when partition p goes from node {@code from} to node {@code to}. */
  private static int cost(int[] original, int p, int from, int to) {
    if (original == null) {
      return 0;
    }
    return (original[p] != to ? 1 : 0) - (original[p] != from ? 1 : 0);
  }
}
