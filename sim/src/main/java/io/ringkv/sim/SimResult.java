package io.ringkv.sim;

import java.util.List;

/**
 * The outcome of one run.
 *
 * @param seed the run's seed: {@code Simulation.run(seed, options)} replays it
 * @param scenario the parameters the seed drew, one line
 * @param failures one line per broken invariant; empty if the run passed
 * @param requests client requests issued (gets, puts and deletes, and the heal phase's gets)
 * @param events events the queue ran
 * @param simulatedNanos virtual time at the end of the run
 * @param fingerprint a hash of every event's time and order: equal runs have equal fingerprints
 * @param counts what happened, in numbers
 * @param eventLog the event log, if recording was on
 */
public record SimResult(
    long seed,
    String scenario,
    List<String> failures,
    int requests,
    long events,
    long simulatedNanos,
    long fingerprint,
    Counts counts,
    String eventLog) {

  public boolean passed() {
    return failures.isEmpty();
  }
}
