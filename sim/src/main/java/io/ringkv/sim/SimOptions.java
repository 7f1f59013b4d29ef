package io.ringkv.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * What a caller pins about runs; everything left at 0 is drawn from each run's seed.
 *
 * @param nodes cluster size, 3 to 5 (0: drawn)
 * @param keys keys in the workload, 2 to 16 (0: drawn from 3 to 8)
 * @param clients concurrent clients (0: drawn from 2 to 5)
 * @param workloadMillis how long clients run and faults happen, in simulated time (0: drawn)
 * @param faults whether to inject faults at all (off: a healthy run, for debugging the harness)
 * @param chainWrites whether clients also write with the context a previous put returned
 * @param trace whether to record the event log (replays and the determinism test)
 * @param membership whether a membership change (join, leave, remove) may happen during the
 *     faults (off: the ring never changes)
 * @param secondChange whether a run with a membership change may make a second one (off: the
 *     run is the one it was before runs made two; pinned seeds of older findings use it)
 * @param wiring the components (real, or deliberately broken ones in tests)
 */
public record SimOptions(
    int nodes,
    int keys,
    int clients,
    long workloadMillis,
    boolean faults,
    boolean chainWrites,
    boolean trace,
    boolean membership,
    boolean secondChange,
    Wiring wiring) {

  public static final SimOptions DEFAULTS =
      new SimOptions(0, 0, 0, 0, true, false, false, true, true, Wiring.REAL);

  public SimOptions {
    if (nodes != 0 && (nodes < 3 || nodes > 5)) {
      throw new IllegalArgumentException("nodes: 3 to 5 (or 0 to draw), got " + nodes);
    }
    if (keys != 0 && (keys < 2 || keys > 16)) {
      throw new IllegalArgumentException("keys: 2 to 16 (or 0 to draw), got " + keys);
    }
    if (clients < 0 || clients > 16) {
      throw new IllegalArgumentException("clients: 1 to 16 (or 0 to draw), got " + clients);
    }
    if (workloadMillis < 0) {
      throw new IllegalArgumentException("workload-ms: must not be negative");
    }
  }

  public SimOptions withNodes(int n) {
    return new SimOptions(n, keys, clients, workloadMillis, faults, chainWrites, trace, membership, secondChange, wiring);
  }

  public SimOptions withKeys(int k) {
    return new SimOptions(nodes, k, clients, workloadMillis, faults, chainWrites, trace, membership, secondChange, wiring);
  }

  public SimOptions withClients(int c) {
    return new SimOptions(nodes, keys, c, workloadMillis, faults, chainWrites, trace, membership, secondChange, wiring);
  }

  public SimOptions withWorkloadMillis(long ms) {
    return new SimOptions(nodes, keys, clients, ms, faults, chainWrites, trace, membership, secondChange, wiring);
  }

  public SimOptions withFaults(boolean on) {
    return new SimOptions(nodes, keys, clients, workloadMillis, on, chainWrites, trace, membership, secondChange, wiring);
  }

  public SimOptions withChainWrites(boolean on) {
    return new SimOptions(nodes, keys, clients, workloadMillis, faults, on, trace, membership, secondChange, wiring);
  }

  public SimOptions withTrace(boolean on) {
    return new SimOptions(nodes, keys, clients, workloadMillis, faults, chainWrites, on, membership, secondChange, wiring);
  }

  public SimOptions withMembership(boolean on) {
    return new SimOptions(nodes, keys, clients, workloadMillis, faults, chainWrites, trace, on,
        secondChange, wiring);
  }

  public SimOptions withSecondChange(boolean on) {
    return new SimOptions(nodes, keys, clients, workloadMillis, faults, chainWrites, trace,
        membership, on, wiring);
  }

  public SimOptions withWiring(Wiring w) {
    return new SimOptions(nodes, keys, clients, workloadMillis, faults, chainWrites, trace, membership, secondChange, w);
  }

  /** The command-line flags that reproduce these options (empty for the defaults). */
  public List<String> flags() {
    List<String> out = new ArrayList<>();
    if (nodes != 0) {
      out.add("--nodes " + nodes);
    }
    if (keys != 0) {
      out.add("--keys " + keys);
    }
    if (clients != 0) {
      out.add("--clients " + clients);
    }
    if (workloadMillis != 0) {
      out.add("--workload-ms " + workloadMillis);
    }
    if (!faults) {
      out.add("--no-faults");
    }
    if (chainWrites) {
      out.add("--chain-writes");
    }
    if (!membership) {
      out.add("--no-membership");
    }
    if (!secondChange) {
      out.add("--one-change");
    }
    return out;
  }
}
