package io.ringkv.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** "Did you mean" for misspelt keys: the known key nearest by edit distance, if near enough. */
final class Suggestions {

  private Suggestions() {}

  /**
   * The known key or section closest to {@code unknown}, comparing both whole dotted keys and last
   * segments (so a top-level {@code max-siblings} suggests {@code limits.max-siblings}). Ties go to
   * the earlier candidate, so the answer does not depend on hashing.
   */
  static Optional<String> closest(String unknown, List<String> keys, Collection<String> sections) {
    List<String> candidates = new ArrayList<>(sections);
    candidates.addAll(keys);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = Math.min(distance(unknown, candidate), distance(lastSegment(unknown), lastSegment(candidate)));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    // A third of the name may be wrong; beyond that a suggestion is more noise than help.
    int allowed = Math.max(1, lastSegment(unknown).length() / 3);
    return bestDistance <= allowed ? Optional.ofNullable(best) : Optional.empty();
  }

  private static String lastSegment(String key) {
    return key.substring(key.lastIndexOf('.') + 1);
  }

  /** Optimal string alignment distance: edits, counting a swap of neighbours as one. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
