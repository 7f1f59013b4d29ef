package io.ringkv.sim;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs simulations from the command line (see {@code scripts/simulate.sh}):
 *
 * <pre>
 *   --seeds N        run N fresh random seeds (a soak); seeds run in parallel, one per core
 *   --seed S         replay seed S, writing its event log
 *   --from S         with --seeds: run seeds S, S+1, ... instead of random ones
 *   --nodes K --keys K --clients C --workload-ms T --no-faults --chain-writes --no-membership
 *   --one-change
 *                    pin what is otherwise drawn from each seed (replay with the same flags)
 *   --log-dir D      where event logs go (default target/sim-logs)
 *   --threads T      parallel runs (default: available processors)
 * </pre>
 *
 * Prints each failing seed with its replay command and event log, the throughput, and last the
 * line {@code N passed, M failed}. Exits 1 if any seed failed, 2 on bad arguments.
 */
public final class SimulateMain {

  private SimulateMain() {}

  public static void main(String[] args) throws Exception {
    // Protocol code logs every suspicion and handoff at INFO: thousands of lines per seed. Set
    // before the first logger is made, so logback's configuration picks it up.
    if (System.getProperty("ringkv.log.level") == null) {
      System.setProperty("ringkv.log.level", "WARN");
    }
    System.exit(run(args, System.out));
  }

  static int run(String[] args, PrintStream out) throws Exception {
    Args a;
    try {
      a = Args.parse(args);
    } catch (IllegalArgumentException e) {
      out.println("simulate: " + e.getMessage());
      out.println(Args.USAGE);
      return 2;
    }
    if (a.help) {
      out.println(Args.USAGE);
      return 0;
    }
    List<Long> seeds = new ArrayList<>();
    if (a.seed != null) {
      seeds.add(a.seed);
    } else {
      long base = a.from != null ? a.from : new SecureRandom().nextLong();
      SplittableRandom fresh = new SplittableRandom(base);
      for (int i = 0; i < a.count; i++) {
        seeds.add(a.from != null ? a.from + i : fresh.nextLong());
      }
    }
    boolean replay = a.seed != null;
    long wallStart = System.nanoTime();
    List<SimResult> results = runAll(seeds, a.options.withTrace(replay), a.threads);
    double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
    int failed = 0;
    long requests = 0;
    long events = 0;
    Counts counts = Counts.ZERO;
    for (SimResult r : results) {
      requests += r.requests();
      events += r.events();
      counts = counts.plus(r.counts());
      if (replay) {
        out.println(r.scenario());
      }
      if (!r.passed()) {
        failed++;
        // The bulk run did not record; replaying the seed with recording on yields the same run.
        SimResult traced = replay ? r : Simulation.run(r.seed(), a.options.withTrace(true));
        Path file = writeLog(a.logDir, traced);
        report(out, a, r, file);
      } else if (replay) {
        out.println("seed " + r.seed() + " passed; event log: " + writeLog(a.logDir, r));
      }
    }
    out.println("outcomes: " + counts);
    out.printf("throughput: %.0f simulated requests/s (%d requests, %d events, %d seeds in %.1f s"
        + " wall, %d threads)%n", requests / wallSeconds, requests, events, results.size(),
        wallSeconds, a.threads);
    out.println((results.size() - failed) + " passed, " + failed + " failed");
    return failed == 0 ? 0 : 1;
  }

  /** Runs the seeds on {@code threads} threads; each run is single-threaded and independent. */
  static List<SimResult> runAll(List<Long> seeds, SimOptions options, int threads)
      throws InterruptedException, ExecutionException {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      List<Future<SimResult>> futures = new ArrayList<>();
      for (long s : seeds) {
        futures.add(pool.submit(() -> Simulation.run(s, options)));
      }
      List<SimResult> out = new ArrayList<>();
      for (Future<SimResult> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void report(PrintStream out, Args a, SimResult r, Path log) {
    out.println("FAILED seed " + r.seed() + ": " + r.scenario());
    for (String f : r.failures()) {
      out.println("  " + f);
    }
    out.println("  replay: " + replayCommand(r.seed(), a.options));
    out.println("  event log: " + log);
  }

  /** The one-line command that replays {@code seed} with {@code options}. */
  public static String replayCommand(long seed, SimOptions options) {
    StringBuilder sb = new StringBuilder("scripts/simulate.sh --seed ").append(seed);
    for (String flag : options.flags()) {
      sb.append(' ').append(flag);
    }
    return sb.toString();
  }

  static Path writeLog(Path dir, SimResult r) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve("seed-" + r.seed() + ".log").toAbsolutePath();
      Files.writeString(file, r.eventLog(), StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write the event log: " + e.getMessage(), e);
    }
  }

  /** The parsed command line. */
  static final class Args {
    static final String USAGE =
        "usage: simulate.sh [--seeds N [--from S] | --seed S] [--nodes 3-5] [--keys K]"
            + " [--clients C] [--workload-ms T] [--no-faults] [--chain-writes]"
            + " [--no-membership] [--one-change] [--log-dir D]"
            + " [--threads T]";

    SimOptions options = SimOptions.DEFAULTS;
    int count = 100;
    Long seed;
    Long from;
    Path logDir = Path.of("target", "sim-logs");
    int threads = Runtime.getRuntime().availableProcessors();
    boolean help;

    static Args parse(String[] args) {
      Args a = new Args();
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        switch (flag) {
          case "--help", "-h" -> a.help = true;
          case "--no-faults" -> a.options = a.options.withFaults(false);
          case "--no-membership" -> a.options = a.options.withMembership(false);
          case "--one-change" -> a.options = a.options.withSecondChange(false);
          case "--chain-writes" -> a.options = a.options.withChainWrites(true);
          default -> {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException(flag + ": missing value (or unknown flag)");
            }
            String v = args[++i];
            switch (flag) {
              case "--seeds" -> a.count = positive(flag, v);
              case "--seed" -> a.seed = number(flag, v);
              case "--from" -> a.from = number(flag, v);
              case "--nodes" -> a.options = a.options.withNodes(positive(flag, v));
              case "--keys" -> a.options = a.options.withKeys(positive(flag, v));
              case "--clients" -> a.options = a.options.withClients(positive(flag, v));
              case "--workload-ms" -> a.options = a.options.withWorkloadMillis(number(flag, v));
              case "--log-dir" -> a.logDir = Path.of(v);
              case "--threads" -> a.threads = positive(flag, v);
              default -> throw new IllegalArgumentException("unknown flag " + flag);
            }
          }
        }
      }
      return a;
    }

    private static long number(String flag, String v) {
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(flag + ": not a number: " + v);
      }
    }

    private static int positive(String flag, String v) {
      long n = number(flag, v);
      if (n < 1 || n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(flag + ": must be a positive number, got " + v);
      }
      return (int) n;
    }
  }
}
