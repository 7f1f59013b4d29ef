package io.ringkv.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The real protocol under the simulator's faults, over the fixed window of seeds every build
 * runs ({@code -Dsim.seeds=N -Dsim.from=S} to change it; {@code scripts/simulate.sh --seeds N}
 * for fresh seeds).
 */
class SimulationTest {

  @Test
  void everySeedPasses() throws Exception {
    long start = System.nanoTime();
    List<SimResult> results = Seeds.run(SimOptions.DEFAULTS, false);
    double seconds = (System.nanoTime() - start) / 1e9;
    long requests = results.stream().mapToLong(SimResult::requests).sum();
    System.out.printf("%d seeds, %d simulated requests in %.1f s: %.0f requests/s%n",
        results.size(), requests, seconds, requests / seconds);
    List<SimResult> failed = results.stream().filter(r -> !r.passed()).toList();
    List<Long> seeds = failed.stream().map(SimResult::seed).toList();
    assertThat(seeds)
        .as("%d of %d seeds failed; replay each with the command shown:%n%s", failed.size(),
            results.size(), failed.isEmpty() ? "" : describe(failed))
        .isEmpty();
    assertThat(results).hasSize(Seeds.COUNT);
  }

  /** Each failing seed's first failure, replay command and event log (the first few only). */
  private static String describe(List<SimResult> failed) {
    return failed.stream()
        .limit(10)
        .map(r -> "seed " + r.seed() + ": " + r.failures().get(0) + "\n  replay: "
            + SimulateMain.replayCommand(r.seed(), SimOptions.DEFAULTS) + "\n  event log: "
            + SimulateMain.writeLog(Path.of("target", "sim-logs"),
                Simulation.run(r.seed(), SimOptions.DEFAULTS.withTrace(true))))
        .collect(Collectors.joining("\n"));
  }
}
