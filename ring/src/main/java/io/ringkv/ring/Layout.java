package io.ringkv.ring;

/**
 * Helpers over an owner array ({@code o[p]} = node index owning partition p, -1 when unowned), all
 * on the cycle of Q partitions. A conflict is two partitions of the same node closer than n apart; a
 * bad window is a run of n consecutive partitions with a repeated owner (its preference list has to
 * skip). No conflicts iff no bad windows.
 */
final class Layout {

  private Layout() {}

  /** True if {@code node} owns none of the n-1 partitions on either side of p (p itself ignored). */
  static boolean eligible(int[] o, int p, int node, int n) {
    int q = o.length;
    for (int d = 1; d < n; d++) {
      if (o[(p + d) % q] == node || o[(p - d + q) % q] == node) {
        return false;
      }
    }
    return true;
  }

  /** How many of the n-1 partitions on either side of p have p's owner. */
  static int conflictsAt(int[] o, int p, int n) {
    return conflictsFor(o, p, o[p], n);
  }

  /** How many of the n-1 partitions on either side of p are owned by {@code node}. */
  static int conflictsFor(int[] o, int p, int node, int n) {
    if (node < 0) {
      return 0;
    }
    int q = o.length;
    int c = 0;
    for (int d = 1; d < n; d++) {
      if (o[(p + d) % q] == node) {
        c++;
      }
      if (o[(p - d + q) % q] == node) {
        c++;
      }
    }
    return c;
  }

  /** The number of windows of n consecutive partitions (wrapping) with a repeated owner. */
  static int badWindows(int[] o, int n) {
    int q = o.length;
    int bad = 0;
    for (int s = 0; s < q; s++) {
      if (!distinctWindow(o, s, n)) {
        bad++;
      }
    }
    return bad;
  }

  static boolean distinctWindow(int[] o, int start, int n) {
    int q = o.length;
    for (int i = 0; i < n; i++) {
      int a = o[(start + i) % q];
      for (int j = i + 1; j < n; j++) {
        if (o[(start + j) % q] == a) {
          return false;
        }
      }
    }
    return true;
  }

  /** Per-node partition counts (unowned entries ignored). */
  static int[] counts(int[] o, int nodes) {
    int[] c = new int[nodes];
    for (int x : o) {
      if (x >= 0) {
        c[x]++;
      }
    }
    return c;
  }

  /** Partitions whose owner differs between the two arrays. */
  static int moves(int[] from, int[] to) {
    int m = 0;
    for (int p = 0; p < from.length; p++) {
      if (from[p] != to[p]) {
        m++;
      }
    }
    return m;
  }

  /**
   * For every partition, the cyclic distance to the nearest partition owned by {@code node} (Q when
   * the node owns none), in two sweeps.
   */
  static int[] distanceTo(int[] o, int node) {
    int q = o.length;
    int[] dist = new int[q];
    java.util.Arrays.fill(dist, q);
    int last = -1;
    for (int k = 0; k < 2 * q; k++) {
      if (o[k % q] == node) {
        last = k;
      }
      if (last >= 0) {
        dist[k % q] = Math.min(dist[k % q], k - last);
      }
    }
    last = -1;
    for (int k = 2 * q - 1; k >= 0; k--) {
      if (o[k % q] == node) {
        last = k;
      }
      if (last >= 0) {
        dist[k % q] = Math.min(dist[k % q], last - k);
      }
    }
    return dist;
  }
}
