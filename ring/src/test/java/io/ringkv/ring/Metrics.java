package io.ringkv.ring;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Measurements of rings for the tests, computed from the public API only. */
final class Metrics {

  private Metrics() {}

  /** Partitions per node, in {@link Ring#nodes()} order. */
  static int[] counts(Ring ring) {
    List<String> nodes = ring.nodes();
    int[] c = new int[nodes.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = ring.partitionsOf(nodes.get(i)).size();
    }
    return c;
  }

  /** Windows of w consecutive partitions (wrapping) in which some node appears twice. */
  static int badWindows(Ring ring, int w) {
    int q = ring.partitionCount();
    int bad = 0;
    for (int s = 0; s < q; s++) {
      boolean repeated = false;
      for (int i = 0; i < w && !repeated; i++) {
        for (int j = i + 1; j < w && !repeated; j++) {
          repeated = ring.owner((s + i) % q).equals(ring.owner((s + j) % q));
        }
      }
      if (repeated) {
        bad++;
      }
    }
    return bad;
  }

  /**
   * Whether N distinct owners in every window of N partitions is achievable with balanced shares:
   * S >= N and each node can own at most floor(Q/N) partitions while staying within one of its
   * share.
   */
  static boolean spacingSatisfiable(Ring ring) {
    int q = ring.partitionCount();
    int n = ring.targetN();
    if (ring.nodes().size() < n) {
      return false;
    }
    long total = ring.weights().values().stream().mapToLong(Integer::longValue).sum();
    long room = 0;
    for (int w : ring.weights().values()) {
      long lo = (long) q * w / total;
      long hi = lo + ((long) q * w % total == 0 ? 0 : 1);
      if (lo > q / n) {
        return false;
      }
      room += Math.min(hi, q / n);
    }
    return room >= q;
  }

  /**
   * The fewest partitions any balanced claim could move from {@code from} to {@code to}: what
   * nodes must shed above their new ceiling, or what they must gain below their new floor.
   */
  static int minimumMoves(Ring from, Ring to) {
    int q = to.partitionCount();
    long total = to.weights().values().stream().mapToLong(Integer::longValue).sum();
    Map<String, Integer> old = new TreeMap<>();
    for (String node : from.nodes()) {
      old.put(node, from.partitionsOf(node).size());
    }
    int out = 0;
    int in = 0;
    for (Map.Entry<String, Integer> e : old.entrySet()) {
      Integer w = to.weights().get(e.getKey());
      long hi = w == null ? 0 : ((long) q * w + total - 1) / total;
      out += (int) Math.max(0, e.getValue() - hi);
    }
    for (Map.Entry<String, Integer> e : to.weights().entrySet()) {
      long lo = (long) q * e.getValue() / total;
      in += (int) Math.max(0, lo - old.getOrDefault(e.getKey(), 0));
    }
    return Math.max(out, in);
  }

  /** A seeded walk of joins and leaves. */
  static Ring walk(int q, int n, long seed, int steps) {
    Random rnd = new Random(seed);
    Ring ring = Ring.initial(q, n, Map.of("n000", 1, "n001", 2));
    int next = 2;
    for (int i = 0; i < steps; i++) {
      int s = ring.nodes().size();
      if (s == 1 || (s < 20 && rnd.nextBoolean())) {
        ring = ring.withNode(String.format("n%03d", next++), 1 + rnd.nextInt(2));
      } else {
        ring = ring.withoutNode(ring.nodes().get(rnd.nextInt(s)));
      }
    }
    return ring;
  }
}
