package io.ringkv.ring;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;

/**
 * The default {@link Claim}. It aims at three properties, in this order of priority:
 *
 * <ol>
 *   <li><b>Balance.</b> Node i owns floor or ceil of its exact share {@code Q * w[i] / W} (so with
 *       equal weights floor(Q/S) or ceil(Q/S), and always within one of its largest-remainder
 *       target).
 *   <li><b>Spacing.</b> Any n = min(N, S) consecutive partitions (wrapping) have n distinct owners,
 *       so the first N nodes of a preference list are the next N partitions and never need a skip.
 *       This is possible exactly when no node must own more than floor(Q/n) partitions. It is
 *       therefore impossible when S == N and Q % N != 0 (for example Q = 256 with S = N = 3: a
 *       valid sequence would be strictly periodic with period N), and when a weight gives a node a
 *       share above Q/N; then the claim keeps balance and gets as close as it can, minimizing the
 *       number of windows of n partitions with a repeated owner (with Q = 2^k and S = N = 3 or 5
 *       the layouts it builds have 2 such windows out of Q). With S < N a preference list simply has
 *       fewer than N distinct nodes; the claim then spaces by S.
 *   <li><b>Little movement.</b> The incremental step ({@link Incremental}) moves only what balance
 *       requires: on a join the new node takes about Q/(S+1) partitions from the most loaded nodes,
 *       at positions n apart; on a removal each freed partition goes to the least loaded node that
 *       keeps the spacing. Remaining conflicts are repaired by single reassignments or swaps
 *       ({@link Repair}).
 * </ol>
 *
 * <p>If the incremental step still leaves windows with a repeated owner, the claim also builds a
 * fresh layout ({@link Striping#construct}), renamed and rotated to keep as many partitions with
 * their current owner as possible ({@link Striping#align}), and keeps whichever of the two has fewer
 * bad windows, then fewer moves. This full re-striping moves many partitions; it happens when the
 * ring gets too tight for local changes: when a removal leaves exactly N+1 nodes (each node then
 * sits between the same n-1 nodes on both sides, so a freed partition has no eligible taker), when
 * a change makes S == N, or when the spacing was unachievable before the change and becomes
 * achievable. A new ring (no current owners) is laid out by {@link Striping#construct} directly.
 *
 * <p>Cost: O(Q^2 n / S) for the incremental step, O(Q^2 + Q S^2 log S) for a re-striping.
 */
public final class BalancedClaim implements Claim {

  /** The one instance; the claim has no state. */
  public static final BalancedClaim INSTANCE = new BalancedClaim();

  /** Search nodes one claim may spend re-ordering runs of partitions ({@link Segments}). */
  static final long SEARCH_BUDGET = 1_000_000;

  private BalancedClaim() {}

  @Override
  public List<String> claim(
      List<String> owners, SortedMap<String, Integer> weights, int targetN) {
    List<String> names = new ArrayList<>(weights.keySet());
    int[] w = new int[names.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = weights.get(names.get(i));
    }
    int[] current = new int[owners.size()];
    for (int p = 0; p < current.length; p++) {
      String owner = owners.get(p);
      current[p] = owner == null ? -1 : Collections.binarySearch(names, owner);
      if (current[p] < 0) {
        current[p] = -1;
      }
    }
    int[] next = claim(current, w, targetN).owners();
    List<String> out = new ArrayList<>(next.length);
    for (int x : next) {
      out.add(names.get(x));
    }
    return out;
  }

  /** What the claim decided, with how (for the claim simulator and the tests). */
  record Outcome(int[] owners, boolean restriped, int badWindows) {}

  /**
   * The claim on node indexes: {@code current[p]} is the index of p's owner in the sorted member
   * list or -1, {@code weights[i]} the weight of member i.
   */
  static Outcome claim(int[] current, int[] weights, int targetN) {
    int q = current.length;
    Quotas quotas = Quotas.of(q, weights, targetN);
    int n = quotas.n();
    boolean anyOwner = false;
    for (int x : current) {
      anyOwner |= x >= 0;
    }
    if (!anyOwner) {
      int[] fresh = Striping.construct(quotas.target(), n);
      return new Outcome(fresh, true, Layout.badWindows(fresh, n));
    }
    int[] inc = Incremental.rebalance(current, quotas);
    if (Repair.repair(inc, current, quotas.lo(), quotas.hi(), n, 4) > 0) {
      Segments.repair(inc, current, n, weights.length, SEARCH_BUDGET);
    }
    int incBad = Layout.badWindows(inc, n);
    if (incBad == 0) {
      return new Outcome(inc, false, 0);
    }
    int[] striped =
        Striping.align(Striping.construct(quotas.target(), n), current, quotas);
    int stripedBad = Layout.badWindows(striped, n);
    boolean useStriped =
        quotas.feasible()
            ? stripedBad < incBad
                || (stripedBad == incBad
                    && Layout.moves(current, striped) < Layout.moves(current, inc))
            : 2 * stripedBad <= incBad;
    return useStriped
        ? new Outcome(striped, true, stripedBad)
        : new Outcome(inc, false, incBad);
  }
}
