package io.ringkv.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A seed is a replayable run only if nothing but the seed decides what happens: no hash order,
 * no system time, no threads. Runs the same seeds twice and compares the event logs byte for
 * byte (Accord's burn test does the same), and checks that recording the log does not change
 * the run, since a failing seed found without recording is replayed with it.
 */
class DeterminismTest {

  /**
   * Seeds with crashes, a disk loss, partitions and clock jumps among them, and membership
   * changes: a join (42), a leave (12), a removal then a join (5), a join then a leave (4); and
   * power cuts: 42 and 12 lose unsynced writes, 7 syncs every write, and in 900228 (with a disk
   * loss and a join) two acknowledged writes lose every copy.
   */
  private static final long[] SEEDS = {3, 7, 42, 1234567, 12, 5, 4, 900228};

  @Test
  void sameSeedSameEventLog() {
    for (long seed : SEEDS) {
      SimResult a = Simulation.run(seed, SimOptions.DEFAULTS.withTrace(true));
      SimResult b = Simulation.run(seed, SimOptions.DEFAULTS.withTrace(true));
      assertThat(a.eventLog()).as("seed %d", seed).isNotEmpty();
      assertThat(b.eventLog()).as("seed %d: second run's event log", seed)
          .isEqualTo(a.eventLog());
      assertThat(b.fingerprint()).isEqualTo(a.fingerprint());
      assertThat(b.failures()).isEqualTo(a.failures());
    }
  }

  @Test
  void recordingDoesNotChangeTheRun() {
    for (long seed : SEEDS) {
      SimResult quiet = Simulation.run(seed, SimOptions.DEFAULTS);
      SimResult traced = Simulation.run(seed, SimOptions.DEFAULTS.withTrace(true));
      assertThat(quiet.eventLog()).isNull();
      assertThat(traced.fingerprint()).as("seed %d", seed).isEqualTo(quiet.fingerprint());
      assertThat(traced.events()).isEqualTo(quiet.events());
      assertThat(traced.failures()).isEqualTo(quiet.failures());
    }
  }

  @Test
  void differentSeedsDiffer() {
    assertThat(Simulation.run(1, SimOptions.DEFAULTS).fingerprint())
        .isNotEqualTo(Simulation.run(2, SimOptions.DEFAULTS).fingerprint());
  }
}
