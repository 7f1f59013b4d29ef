package io.ringkv.sim;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The simulated network: every message gets a latency drawn from the seed (so messages overtake
 * each other), and while faults are on it may be dropped, duplicated, held up on a clogged link,
 * or cut off by a partition. Partitions and clogs are per directed link, so a one-way partition is
 * one direction blocked; they are counted, so overlapping faults compose and heal independently.
 *
 * <p>Clients are outside the cluster: partitions and clogs apply between nodes only, drops and
 * latency to every message.
 */
final class SimNetwork {

  private static final long TAIL_MAX_NANOS = 30_000_000L;

  private final EventQueue queue;
  private final SplittableRandom rng;
  private final EventLog log;
  private final Scenario scenario;
  private final Map<String, Integer> blocked = new TreeMap<>();
  private final Map<String, Integer> clogged = new TreeMap<>();
  private double dropRate;
  private double duplicateRate;
  private long messages;
  private long dropped;
  private long inFlight;

  SimNetwork(EventQueue queue, SplittableRandom rng, EventLog log, Scenario scenario) {
    this.queue = queue;
    this.rng = rng;
    this.log = log;
    this.scenario = scenario;
    if (scenario.faults()) {
      dropRate = scenario.dropRate();
      duplicateRate = scenario.duplicateRate();
    }
  }

  /**
   * Sends one message: {@code deliver} runs on each arrival (never, once, or twice). Only
   * messages whose repetition the real transport could cause may be duplicated.
   */
  void send(String from, String to, Supplier<String> what, boolean mayDuplicate, Runnable deliver) {
    send(from, to, what, mayDuplicate, false, deliver);
  }

  /**
   * As above; a {@code background} message (anti-entropy) is not counted in flight: the heal
   * phase's quiescence test ignores it, since anti-entropy never stops and its merges cannot
   * change replicas that already converged.
   */
  void send(String from, String to, Supplier<String> what, boolean mayDuplicate,
      boolean background, Runnable deliver) {
    long id = ++messages;
    if (count(blocked, from, to) > 0) {
      dropped++;
      log.add(() -> from + " -> " + to + " #" + id + " " + what.get() + "  LOST (partition)");
      return;
    }
    if (dropRate > 0 && rng.nextDouble() < dropRate) {
      dropped++;
      log.add(() -> from + " -> " + to + " #" + id + " " + what.get() + "  LOST (dropped)");
      return;
    }
    long delay = latency(from, to);
    log.add(() -> from + " -> " + to + " #" + id + " " + what.get() + "  arrives in "
        + EventLog.millis(delay) + "ms");
    queue.after(delay, null, background ? deliver : counted(deliver));
    if (mayDuplicate && duplicateRate > 0 && rng.nextDouble() < duplicateRate) {
      long again = latency(from, to);
      log.add(() -> from + " -> " + to + " #" + id + " DUPLICATED, copy arrives in "
          + EventLog.millis(again) + "ms");
      queue.after(again, null, background ? deliver : counted(deliver));
    }
  }

  /** Counts the message in flight until it arrives (for the heal phase's quiescence test). */
  private Runnable counted(Runnable deliver) {
    inFlight++;
    return () -> {
      inFlight--;
      deliver.run();
    };
  }

  /** Messages sent and not yet arrived. */
  long inFlight() {
    return inFlight;
  }

  private long latency(String from, String to) {
    long d = scenario.latencyMinNanos()
        + rng.nextLong(scenario.latencyMaxNanos() - scenario.latencyMinNanos() + 1);
    if (rng.nextInt(50) == 0) {
      d += rng.nextLong(TAIL_MAX_NANOS);
    }
    if (count(clogged, from, to) > 0) {
      // Longer than the replica deadline at times: the reply comes back after the caller gave up.
      d += rng.nextLong(2 * scenario.settings().replicaTimeout().toNanos() + 1);
    }
    return d;
  }

  void block(String from, String to) {
    bump(blocked, from, to, 1);
  }

  void unblock(String from, String to) {
    bump(blocked, from, to, -1);
  }

  void clog(String from, String to) {
    bump(clogged, from, to, 1);
  }

  void unclog(String from, String to) {
    bump(clogged, from, to, -1);
  }

  void setDropRate(double rate) {
    dropRate = rate;
  }

  double dropRate() {
    return dropRate;
  }

  /** Ends every network fault: no partition, clog, drop or duplicate from now on. */
  void heal() {
    blocked.clear();
    clogged.clear();
    dropRate = 0;
    duplicateRate = 0;
  }

  long messages() {
    return messages;
  }

  long dropped() {
    return dropped;
  }

  private static int count(Map<String, Integer> links, String from, String to) {
    if (links.isEmpty()) {
      return 0;
    }
    return links.getOrDefault(from + ">" + to, 0);
  }

  private static void bump(Map<String, Integer> links, String from, String to, int by) {
    String link = from + ">" + to;
    int n = links.getOrDefault(link, 0) + by;
    if (n <= 0) {
      links.remove(link);
    } else {
      links.put(link, n);
    }
  }
}
