package io.ringkv.ring;

import java.util.Arrays;

/**
 * The share each node may own, and the spacing the layout aims at. Node i's exact share is
 * {@code Q * w[i] / W}; it may own between {@code lo[i] = floor(share)} and {@code hi[i] =
 * ceil(share)} partitions (so with equal weights floor(Q/S) or ceil(Q/S), and always within one of
 * its largest-remainder {@code target[i]}).
 *
 * <p>{@code n = min(N, S, Q)} is the spacing aimed at: any n consecutive partitions should have n
 * distinct owners. A node owning more than floor(Q/n) partitions necessarily repeats inside some
 * window, so {@code hi} is lowered to that cap where the share allows it; {@link #feasible()} says
 * whether counts within the caps exist (then the spacing is achievable).
 */
record Quotas(int partitions, int n, int[] lo, int[] hi, int[] target, boolean feasible) {

  static Quotas of(int partitions, int[] weights, int targetN) {
    int s = weights.length;
    int n = Math.max(1, Math.min(targetN, Math.min(s, partitions)));
    long total = 0;
    for (int w : weights) {
      total += w;
    }
    int[] lo = new int[s];
    int[] hi = new int[s];
    long[] rem = new long[s];
    int sumLo = 0;
    for (int i = 0; i < s; i++) {
      long exact = (long) partitions * weights[i];
      lo[i] = (int) (exact / total);
      rem[i] = exact % total;
      hi[i] = lo[i] + (rem[i] > 0 ? 1 : 0);
      sumLo += lo[i];
    }
    int cap = partitions / n;
    int[] capped = new int[s];
    int sumCapped = 0;
    boolean loWithinCap = true;
    for (int i = 0; i < s; i++) {
      capped[i] = Math.max(lo[i], Math.min(hi[i], cap));
      sumCapped += capped[i];
      loWithinCap &= lo[i] <= cap;
    }
    boolean feasible = loWithinCap && sumCapped >= partitions;
    int[] upper = sumCapped >= partitions ? capped : hi;
    // Largest remainder: the Q - sum(lo) spare partitions go to the largest remainders (ties: the
    // lower index), skipping nodes whose upper bound is already reached.
    Integer[] order = new Integer[s];
    for (int i = 0; i < s; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> rem[a] != rem[b] ? Long.compare(rem[b], rem[a]) : a - b);
    int[] target = lo.clone();
    int spare = partitions - sumLo;
    for (int k = 0; k < s && spare > 0; k++) {
      if (target[order[k]] < upper[order[k]]) {
        target[order[k]]++;
        spare--;
      }
    }
    return new Quotas(partitions, n, lo, upper, target, feasible);
  }

  int nodes() {
    return lo.length;
  }

  /** Ideal distance between two partitions of node i, at least n. */
  int idealSpacing(int i) {
    return Math.max(n, partitions / Math.max(1, target[i]));
  }
}
