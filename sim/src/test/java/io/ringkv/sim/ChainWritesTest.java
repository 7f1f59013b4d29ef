package io.ringkv.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients that also write with the context a put returned (ringkv's Java client hands it back
 * from every put). The simulator found that this lost acknowledged writes while a put's context
 * was the vector of the whole stored object: it covered the concurrent siblings the put kept, so
 * the next write with it superseded siblings the client never saw (seed 4 with
 * {@code --chain-writes --no-faults}). A put's context is now dotted: what the writer had seen
 * plus its one new write.
 */
class ChainWritesTest {

  @Test
  void writingWithAPutsContextLosesNothing() throws Exception {
    List<SimResult> results = Seeds.run(SimOptions.DEFAULTS.withChainWrites(true), false);
    assertThat(results).allMatch(SimResult::passed);
  }

  @Test
  void theSeedThatFoundTheBugPasses() throws Exception {
    List<SimResult> results = SimulateMain.runAll(Seeds.window(1, 8),
        SimOptions.DEFAULTS.withChainWrites(true).withFaults(false), Seeds.THREADS);
    assertThat(results).allMatch(SimResult::passed);
  }
}
