package io.ringkv.ring;

/**
 * Repair of the conflicts {@link Repair} cannot fix one partition at a time: the run of partitions
 * around a conflict is re-ordered (the same owners, so counts do not change) by a bounded
 * depth-first search for the order with no conflict inside the run or with its neighbours that
 * keeps the most partitions with their {@code original} owner. Runs of 2n+1, 4n+1 and 8n+1
 * partitions are tried in turn; each search visits at most {@link #NODES_PER_SEARCH} nodes, and one
 * repair at most {@code budget} in all, so the cost is bounded and the result deterministic.
 */
final class Segments {

  static final int NODES_PER_SEARCH = 20_000;

  private final int[] o;
  private final int[] original;
  private final int n;
  private final int q;
  private final int[] remaining;
  private final int[] last;
  private final int[] lastAllowed;
  private int[] run;
  private int[] pick;
  private int[] best;
  private int bestCost;
  private long nodes;
  private long searchLimit;
  private long budget;

  private Segments(int[] o, int[] original, int n, int nodeCount, long budget) {
    this.o = o;
    this.original = original;
    this.n = n;
    this.q = o.length;
    this.remaining = new int[nodeCount];
    this.last = new int[nodeCount];
    this.lastAllowed = new int[nodeCount];
    this.budget = budget;
  }

  /** Repairs {@code o} in place; returns whether conflicts remain. */
  static boolean repair(int[] o, int[] original, int n, int nodeCount, long budget) {
    Segments s = new Segments(o, original, n, nodeCount, budget);
    boolean left = false;
    for (int p = 0; p < o.length; p++) {
      if (Layout.conflictsAt(o, p, n) > 0 && !s.fixAround(p)) {
        left = true;
      }
    }
    return left;
  }

  private boolean fixAround(int p) {
    for (int len = 2 * n + 1; len <= 32 * n + 1 && len + 2 * (n - 1) <= q; len = 2 * len - 1) {
      if (budget <= 0) {
        return false;
      }
      if (solve(Math.floorMod(p - len / 2, q), len)) {
        return true;
      }
    }
    return false;
  }

  private boolean solve(int start, int len) {
    run = new int[len];
    pick = new int[len];
    best = null;
    bestCost = Integer.MAX_VALUE;
    java.util.Arrays.fill(remaining, 0);
    java.util.Arrays.fill(last, -n);
    java.util.Arrays.fill(lastAllowed, len - 1);
    for (int i = 0; i < len; i++) {
      run[i] = (start + i) % q;
      remaining[o[run[i]]]++;
    }
    for (int d = n - 1; d >= 1; d--) {
      int x = o[Math.floorMod(start - d, q)];
      last[x] = Math.max(last[x], -d);
      int y = o[(start + len - 1 + d) % q];
      lastAllowed[y] = Math.min(lastAllowed[y], len - 1 + d - n);
    }
    nodes = 0;
    searchLimit = Math.min(NODES_PER_SEARCH, budget);
    search(0, 0);
    budget -= nodes;
    if (best == null) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      o[run[i]] = best[i];
    }
    return true;
  }

  private void search(int i, int cost) {
    if (cost >= bestCost || nodes >= searchLimit) {
      return;
    }
    nodes++;
    if (i == run.length) {
      bestCost = cost;
      best = pick.clone();
      return;
    }
    for (int x = 0; x < remaining.length; x++) {
      if (remaining[x] > 0) {
        int first = Math.max(i, last[x] + n);
        int room = first > lastAllowed[x] ? 0 : (lastAllowed[x] - first) / n + 1;
        if (remaining[x] > room) {
          return;
        }
      }
    }
    int pos = run[i];
    int want = original == null ? o[pos] : original[pos];
    if (want >= 0 && remaining[want] > 0 && fits(i, want)) {
      place(i, want, cost);
    }
    if (o[pos] != want && remaining[o[pos]] > 0 && fits(i, o[pos])) {
      place(i, o[pos], cost + 1);
    }
    for (int x = 0; x < remaining.length; x++) {
      if (x != want && x != o[pos] && remaining[x] > 0 && fits(i, x)) {
        place(i, x, cost + 1);
      }
    }
  }

  private void place(int i, int x, int cost) {
    remaining[x]--;
    pick[i] = x;
    int before = last[x];
    last[x] = i;
    search(i + 1, cost);
    last[x] = before;
    remaining[x]++;
  }

  /** Whether x at run index i is n apart from x on its left (picked or fixed) and right (fixed). */
  private boolean fits(int i, int x) {
    for (int d = 1; d < n; d++) {
      int left = i - d >= 0 ? pick[i - d] : o[Math.floorMod(run[0] + i - d, q)];
      if (left == x) {
        return false;
      }
      if (i + d >= run.length && o[(run[0] + i + d) % q] == x) {
        return false;
      }
    }
    return true;
  }
}
