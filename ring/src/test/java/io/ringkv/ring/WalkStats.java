package io.ringkv.ring;

import java.util.Map;
import java.util.TreeMap;

/** Figures gathered over one random walk, for the printed table. */
final class WalkStats {

  int sMin = Integer.MAX_VALUE;
  int sMax;
  int satisfiedSteps;
  double maxDeviation;
  private final Map<Integer, Integer> unsatisfiedBad = new TreeMap<>();
  private final double[] maxRatio = new double[4];
  private final double[] sumRatio = new double[4];
  private final int[] steps = new int[4];
  private double tightMovedShare;

  void ring(int s, double deviation) {
    sMin = Math.min(sMin, s);
    sMax = Math.max(sMax, s);
    maxDeviation = Math.max(maxDeviation, deviation);
  }

  void unsatisfied(int s, int bad) {
    unsatisfiedBad.merge(s, bad, Math::max);
  }

  /** Category: 0 regular join, 1 regular leave, 2 tight join, 3 tight leave. */
  void move(boolean join, boolean tight, int moves, int min, int q) {
    int c = (join ? 0 : 1) + (tight ? 2 : 0);
    double ratio = (double) moves / Math.max(1, min);
    maxRatio[c] = Math.max(maxRatio[c], ratio);
    sumRatio[c] += ratio;
    steps[c]++;
    if (tight) {
      tightMovedShare = Math.max(tightMovedShare, (double) moves / q);
    }
  }

  double maxRatio(int category) {
    return maxRatio[category];
  }

  String ratio(int category) {
    return steps[category] == 0
        ? "-"
        : String.format("%.2f/%.2f", maxRatio[category], sumRatio[category] / steps[category]);
  }

  String tightMoves() {
    return steps[2] + steps[3] == 0 ? "-" : String.format("%.2f", tightMovedShare);
  }

  String unsatisfied() {
    StringBuilder sb = new StringBuilder();
    unsatisfiedBad.forEach((s, bad) -> sb.append(sb.length() == 0 ? "" : " ").append(s)
        .append(':').append(bad));
    return sb.length() == 0 ? "-" : sb.toString();
  }
}
