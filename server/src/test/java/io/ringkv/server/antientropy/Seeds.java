package io.ringkv.server.antientropy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeds of the randomized property tests: a fresh base seed per run, printed, so a failure names
 * the seed that broke; {@code -Dringkv.seed=S} reruns just that seed.
 */
final class Seeds {

  private Seeds() {}

  static List<Long> of(String test, int count) {
    String fixed = System.getProperty("ringkv.seed");
    if (fixed != null) {
      return List.of(Long.parseLong(fixed));
    }
    long base = new SplittableRandom().nextLong();
    System.out.println(test + " base seed " + base + " (each case names its own seed)");
    List<Long> out = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(base);
    for (int i = 0; i < count; i++) {
      out.add(r.nextLong());
    }
    return out;
  }
}
