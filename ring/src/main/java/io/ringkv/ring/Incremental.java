package io.ringkv.ring;

import java.util.Arrays;

/**
 * The incremental step of {@link BalancedClaim}: moves the fewest partitions that bring every count
 * within its quota, keeping the spacing where it can. Two phases:
 *
 * <ol>
 *   <li>Unowned partitions (those of removed nodes) go, most constrained first, to a node below its
 *       upper quota that owns none of the n-1 partitions on either side, the neediest first (below
 *       its lower quota, then furthest below its target).
 *   <li>Transfers, one partition at a time: while some node is above its upper quota, a node below
 *       its upper quota takes one of that node's partitions; then while some node is below its lower
 *       quota, it takes one from a node above its lower quota. The taker picks a partition that keeps
 *       it n apart from its own partitions, preferring the partition furthest from them (up to its
 *       ideal spacing, so its partitions end up spread evenly), then the most loaded giver, then a
 *       partition that removes a conflict.
 * </ol>
 *
 * When no partition keeps the spacing, the least conflicting one is taken, for {@link Repair}.
 */
final class Incremental {

  private Incremental() {}

  static int[] rebalance(int[] current, Quotas quotas) {
    int[] o = current.clone();
    int[] cnt = Layout.counts(o, quotas.nodes());
    fillUnowned(o, cnt, quotas);
    transfer(o, cnt, quotas);
    return o;
  }

  private static void fillUnowned(int[] o, int[] cnt, Quotas qs) {
    int q = o.length;
    int n = qs.n();
    int free = 0;
    long[] order = new long[q];
    for (int p = 0; p < q; p++) {
      if (o[p] < 0) {
        int options = 0;
        for (int r = 0; r < cnt.length; r++) {
          if (cnt[r] < qs.hi()[r] && Layout.eligible(o, p, r, n)) {
            options++;
          }
        }
        order[free++] = ((long) options << 32) | p;
      }
    }
    Arrays.sort(order, 0, free);
    for (int k = 0; k < free; k++) {
      int p = (int) order[k];
      int best = -1;
      long bestKey = Long.MAX_VALUE;
      for (int r = 0; r < cnt.length; r++) {
        if (cnt[r] >= qs.hi()[r]) {
          continue;
        }
        long conflicts = Layout.conflictsFor(o, p, r, n);
        long key =
            (conflicts << 40)
                | ((cnt[r] < qs.lo()[r] ? 0L : 1L) << 39)
                | ((long) (cnt[r] - qs.target()[r] + (1 << 20)) << 16)
                | r;
        if (key < bestKey) {
          bestKey = key;
          best = r;
        }
      }
      o[p] = best;
      cnt[best]++;
    }
  }

  private static void transfer(int[] o, int[] cnt, Quotas qs) {
    int s = cnt.length;
    int[] lo = qs.lo();
    int[] hi = qs.hi();
    Integer[] receivers = new Integer[s];
    while (true) {
      boolean shed = false;
      for (int d = 0; d < s; d++) {
        shed |= cnt[d] > hi[d];
      }
      int k = 0;
      for (int r = 0; r < s; r++) {
        if (shed ? cnt[r] < hi[r] : cnt[r] < lo[r]) {
          receivers[k++] = r;
        }
      }
      if (k == 0) {
        return;
      }
      Arrays.sort(
          receivers,
          0,
          k,
          (a, b) -> {
            int c = Integer.compare(cnt[a] - lo[a], cnt[b] - lo[b]);
            if (c == 0) {
              c = Integer.compare(cnt[a] - qs.target()[a], cnt[b] - qs.target()[b]);
            }
            return c != 0 ? c : Integer.compare(a, b);
          });
      int[] givers = new int[s];
      for (int d = 0; d < s; d++) {
        givers[d] = shed ? cnt[d] - hi[d] : cnt[d] - lo[d];
      }
      boolean done = false;
      for (int i = 0; i < k && !done; i++) {
        done = take(o, cnt, qs, receivers[i], givers, false);
      }
      if (!done) {
        take(o, cnt, qs, receivers[0], givers, true);
      }
    }
  }

  /**
   * Gives receiver r one partition of a node with {@code givers[d] > 0}. Unless {@code force}, only
   * partitions where r keeps the spacing qualify; returns false when none does.
   */
  private static boolean take(int[] o, int[] cnt, Quotas qs, int r, int[] givers, boolean force) {
    int q = o.length;
    int n = qs.n();
    int[] dist = Layout.distanceTo(o, r);
    int cap = qs.idealSpacing(r);
    int best = -1;
    int[] bestKey = null;
    int[] key = new int[4];
    for (int p = 0; p < q; p++) {
      int d = o[p];
      if (d == r || givers[d] <= 0) {
        continue;
      }
      int conflicts = Layout.conflictsFor(o, p, r, n);
      if (conflicts > 0 && !force) {
        continue;
      }
      // Larger is better, compared in order; ties go to the lowest partition.
      key[0] = -conflicts;
      key[1] = Layout.conflictsAt(o, p, n);
      key[2] = Math.min(dist[p], cap);
      key[3] = cnt[d] - qs.target()[d];
      if (bestKey == null || Arrays.compare(key, bestKey) > 0) {
        bestKey = key.clone();
        best = p;
      }
    }
    if (best < 0) {
      return false;
    }
    cnt[o[best]]--;
    cnt[r]++;
    o[best] = r;
    return true;
  }
}
