package io.ringkv.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the checkers catch bugs: each test wires a deliberately broken component into the
 * simulator (never into production code) and expects some seed, from the normal seed window on,
 * to fail in the checker that guards against that bug.
 */
class MutationTest {

  @Test
  void coordinatorThatAcknowledgesBeforeWReplicasAnsweredIsCaught() throws Exception {
    caught(new EarlyAckWiring(), "acknowledged before W");
  }

  @Test
  void replicaThatDropsSiblingsIsCaught() throws Exception {
    caught(new SiblingDroppingWiring(), "lost write");
  }

  @Test
  void replicaThatKeepsOverwrittenSiblingsIsCaught() throws Exception {
    caught(new SiblingKeepingWiring(), "sibling explosion");
  }

  @Test
  void handoffThatDeletesHintsBeforeDeliveryIsCaught() throws Exception {
    caught(new EarlyHintDeleteWiring(true), "under-replicated");
  }

  @Test
  void handoffThatDeletesHintsBeforeDeliveryIsCaughtAsItHappens() throws Exception {
    caught(new EarlyHintDeleteWiring(true), "hint dropped");
  }

  @Test
  void handoffThatDeletesHintsWithoutDeliveringIsCaught() throws Exception {
    caught(new EarlyHintDeleteWiring(false), "under-replicated");
  }

  @Test
  void clusterWithoutAntiEntropyIsCaught() throws Exception {
    caught(new NoAntiEntropyWiring(), "not converged by anti-entropy");
  }

  @Test
  void transferThatMarksHandoversDoneWithoutPullingIsCaught() throws Exception {
    caught(new NoPullTransferWiring(), "transfer incomplete");
  }

  @Test
  void transferSourceThatLosesTheFirstKeyOfEachBatchIsCaught() throws Exception {
    caught(new FirstKeyLosingTransferWiring(), "transfer incomplete");
  }

  @Test
  void nodeIdentityThatLeasesItsCounterWithoutSyncIsCaught() throws Exception {
    caught(new UnsyncedLeaseWiring(), "dot reused");
  }

  /**
   * How many seeds a mutation may take to be caught: five times the normal window. A test stops
   * at its first catch, so the extra seeds cost nothing while a bug is caught early; they keep a
   * rarely caught mutation (sim/README counts two caught in 1 or 2 seeds of the first 400) from
   * failing the build merely because a change reshuffled what the seeds draw.
   */
  private static final int MUTATION_SEEDS = 5 * Seeds.COUNT;

  /** Runs seeds from the normal window on, in batches, until one fails in the named checker. */
  private static void caught(Wiring broken, String checker) throws Exception {
    String name = broken.getClass().getSimpleName();
    SimOptions options = SimOptions.DEFAULTS.withWiring(broken);
    int batch = 2 * Seeds.THREADS;
    int ran = 0;
    for (long s = Seeds.FROM; s < Seeds.FROM + MUTATION_SEEDS; s += batch) {
      int n = (int) Math.min(batch, Seeds.FROM + MUTATION_SEEDS - s);
      List<SimResult> results = SimulateMain.runAll(Seeds.window(s, n), options, Seeds.THREADS);
      ran += results.size();
      for (SimResult r : results) {
        for (String f : r.failures()) {
          if (f.startsWith(checker)) {
            System.out.println(name + " caught by seed " + r.seed() + " (after " + ran
                + " seeds): " + f);
            return;
          }
        }
      }
    }
    assertThat(ran).as("%s: none of %d seeds failed in '%s'; the checkers missed the bug",
        name, ran, checker).isZero();
  }
}
