package io.ringkv.ring;

import java.util.Arrays;

/**
 * Whole-ring layouts: {@link #construct} lays out a ring from scratch, {@link #align} renames and
 * rotates such a layout to keep as many partitions as possible where they are.
 */
final class Striping {

  private Striping() {}

  /**
   * A cyclic sequence in which node i appears {@code counts[i]} times, every window of n partitions
   * distinct as far as possible. Earliest-deadline-first: at each position, among the nodes not used
   * in the previous n-1 positions (nor, near the end, in the first ones, which the ring wraps to), a
   * node that must be placed now to fit its remaining partitions goes first, then the node whose
   * next partition is due earliest if spread evenly (its k-th due at (k - 1/2) * Q / count). Any
   * conflict left is then repaired with swaps.
   */
  static int[] construct(int[] counts, int n) {
    int s = counts.length;
    int q = 0;
    for (int c : counts) {
      q += c;
    }
    int[] o = new int[q];
    int[] placed = new int[s];
    int[] last = new int[s];
    int[] first = new int[s];
    Arrays.fill(last, -1);
    Arrays.fill(first, -1);
    for (int t = 0; t < q; t++) {
      int best = -1;
      for (int i = 0; i < s; i++) {
        if (placed[i] == counts[i]
            || (last[i] >= 0 && t - last[i] < n)
            || (first[i] >= 0 && first[i] + q - t < n)) {
          continue;
        }
        if (best < 0 || before(i, best, t, q, n, counts, placed, first)) {
          best = i;
        }
      }
      if (best < 0) {
        best = leastConflicting(t, q, counts, placed, last, first);
      }
      o[t] = best;
      placed[best]++;
      last[best] = t;
      if (first[best] < 0) {
        first[best] = t;
      }
    }
    Repair.repair(o, null, counts, counts, n, true, 4);
    return o;
  }

  private static boolean before(
      int i, int j, int t, int q, int n, int[] counts, int[] placed, int[] first) {
    long si = slack(i, t, q, n, counts, placed, first);
    long sj = slack(j, t, q, n, counts, placed, first);
    if ((si <= 0 || sj <= 0) && si != sj) {
      return si < sj;
    }
    long di = (2L * placed[i] + 1) * counts[j];
    long dj = (2L * placed[j] + 1) * counts[i];
    return di < dj;
  }

  /** How many positions node i can still wait before its remaining partitions stop fitting. */
  private static long slack(int i, int t, int q, int n, int[] counts, int[] placed, int[] first) {
    long latestLast = first[i] >= 0 ? first[i] + q - n : q - 1;
    return latestLast - (long) (counts[i] - placed[i] - 1) * n - t;
  }

  private static int leastConflicting(
      int t, int q, int[] counts, int[] placed, int[] last, int[] first) {
    int best = -1;
    int bestGap = -1;
    for (int i = 0; i < counts.length; i++) {
      if (placed[i] == counts[i]) {
        continue;
      }
      int gap = Math.min(last[i] < 0 ? q : t - last[i], first[i] < 0 ? q : first[i] + q - t);
      if (gap > bestGap) {
        best = i;
        bestGap = gap;
      }
    }
    return best;
  }

  /**
   * Renames the nodes of {@code layout} (only among nodes with the same quota, so shares stay
   * balanced) and rotates it, choosing the rotation and renaming that keep the most partitions with
   * their current owner in {@code current} (-1 entries match nothing). Renaming is greedy per
   * rotation: pairs (new name, old name) by overlap, largest first. O(Q * (Q + S^2 log S)).
   */
  static int[] align(int[] layout, int[] current, Quotas quotas) {
    int q = layout.length;
    int s = quotas.nodes();
    int[] group = new int[s];
    for (int i = 0; i < s; i++) {
      group[i] = i;
      for (int j = 0; j < i; j++) {
        if (quotas.lo()[j] == quotas.lo()[i] && quotas.hi()[j] == quotas.hi()[i]) {
          group[i] = j;
          break;
        }
      }
    }
    int[][] overlap = new int[s][s];
    long[] pairs = new long[s * s];
    int bestScore = -1;
    int bestRotation = 0;
    int[] bestNames = null;
    for (int r = 0; r < q; r++) {
      for (int[] row : overlap) {
        Arrays.fill(row, 0);
      }
      for (int p = 0; p < q; p++) {
        if (current[p] >= 0) {
          overlap[layout[(p + r) % q]][current[p]]++;
        }
      }
      int[] names = new int[s];
      int score = rename(overlap, group, pairs, names);
      if (score > bestScore) {
        bestScore = score;
        bestRotation = r;
        bestNames = names;
      }
    }
    int[] out = new int[q];
    for (int p = 0; p < q; p++) {
      out[p] = bestNames[layout[(p + bestRotation) % q]];
    }
    return out;
  }

  /** Greedy renaming within groups; fills {@code names[a]} = the node that layout name a becomes. */
  private static int rename(int[][] overlap, int[] group, long[] pairs, int[] names) {
    int s = group.length;
    int k = 0;
    for (int a = 0; a < s; a++) {
      for (int b = 0; b < s; b++) {
        if (group[a] == group[b] && overlap[a][b] > 0) {
          // Sort key: larger overlap first, then smaller a, then smaller b.
          pairs[k++] = ((long) (Integer.MAX_VALUE - overlap[a][b]) << 32) | ((long) a << 16) | b;
        }
      }
    }
    Arrays.sort(pairs, 0, k);
    Arrays.fill(names, -1);
    boolean[] taken = new boolean[s];
    int score = 0;
    for (int i = 0; i < k; i++) {
      int a = (int) ((pairs[i] >>> 16) & 0xFFFF);
      int b = (int) (pairs[i] & 0xFFFF);
      if (names[a] < 0 && !taken[b]) {
        names[a] = b;
        taken[b] = true;
        score += overlap[a][b];
      }
    }
    for (int a = 0; a < s; a++) {
      for (int b = 0; names[a] < 0 && b < s; b++) {
        if (!taken[b] && group[b] == group[a]) {
          names[a] = b;
          taken[b] = true;
        }
      }
    }
    return score;
  }
}
