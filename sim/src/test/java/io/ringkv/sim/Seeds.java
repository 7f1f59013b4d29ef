package io.ringkv.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/** How the tests pick and run seeds: the same fixed seeds in every build, in parallel. */
final class Seeds {

  /** The normal seed count; {@code -Dsim.seeds=N} changes it. */
  static final int COUNT = Integer.getInteger("sim.seeds", 400);

  /** The first seed; {@code -Dsim.from=S} moves the window. */
  static final long FROM = Long.getLong("sim.from", 1L);

  static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  private Seeds() {}

  static List<Long> window(long from, int count) {
    List<Long> out = new ArrayList<>();
    for (long s = from; s < from + count; s++) {
      out.add(s);
    }
    return out;
  }

  /** Runs the seeds; with {@code stopAtFirstFailure}, in batches, stopping after a failing one. */
  static List<SimResult> run(SimOptions options, boolean stopAtFirstFailure)
      throws InterruptedException, ExecutionException {
    List<SimResult> out = new ArrayList<>();
    int batch = stopAtFirstFailure ? 2 * THREADS : COUNT;
    for (long s = FROM; s < FROM + COUNT; s += batch) {
      int n = (int) Math.min(batch, FROM + COUNT - s);
      List<SimResult> results = SimulateMain.runAll(window(s, n), options, THREADS);
      out.addAll(results);
      if (stopAtFirstFailure && results.stream().anyMatch(r -> !r.passed())) {
        break;
      }
    }
    return out;
  }
}
