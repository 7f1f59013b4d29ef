package io.ringkv.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Seeds outside the normal window that found a protocol bug in a soak, replayed on every build
 * (each takes a few seconds). Each also checks that the seed still draws the scenario that found
 * the bug: a change to how scenarios are drawn would otherwise turn it into a random seed.
 */
class FoundSeedsTest {

  /**
   * Finding 6: leaving node n1 coordinated a put with w=3, then (the ring change committed and the
   * forward grace passed while it waited out a replica that was down) dropped the key's
   * partition, and still acknowledged w=3 with two copies. A write round now pins its key, and a
   * moved partition holding a pinned key is dropped only after the round.
   */
  @Test
  void aLeavingCoordinatorKeepsItsCopyUntilItAnswers() {
    SimResult r = Simulation.run(400775, SimOptions.DEFAULTS);
    assertThat(r.scenario()).contains("W=3").endsWith("; a member leaves at 2787.014 ms");
    assertThat(r.failures()).isEmpty();
  }
}
