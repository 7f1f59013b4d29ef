package io.ringkv.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The faults of one run, drawn from its seed before it starts (so the plan is in the log's
 * header) and applied at their times: crashes and restarts, at most one disk loss, power cuts
 * (in some runs, some crashes lose the disk's unsynced writes too), symmetric and one-way
 * partitions, clogged links, lossy periods, and wall-clock jumps. Every fault ends by the
 * end of the workload at the latest, when the heal phase takes over.
 */
final class FaultPlan {

  enum Kind { CRASH, DISK_LOSS, POWER_LOSS, PARTITION, ONE_WAY, CLOG, LOSSY, CLOCK_JUMP }

  /** In this share of the runs with faults (percent), some crashes are power cuts. */
  static final int POWER_LOSS_PERCENT = 50;

  /** One fault: starts at {@code startNanos}, undone {@code durationNanos} later. */
  record Episode(Kind kind, long startNanos, long durationNanos, List<String> side,
      List<String> otherSide, long amount) {
    @Override
    public String toString() {
      String what = switch (kind) {
        case CRASH, DISK_LOSS, POWER_LOSS -> side.get(0);
        case PARTITION -> side + " | " + otherSide;
        case ONE_WAY, CLOG -> side + " -> " + otherSide;
        case LOSSY -> "drop " + amount + "%";
        case CLOCK_JUMP -> side.get(0) + " wall clock " + (amount >= 0 ? "+" : "")
            + amount / 1_000_000 + " ms";
      };
      return kind + " " + what + " at " + EventLog.millis(startNanos) + " ms"
          + (kind == Kind.CLOCK_JUMP ? "" : " for " + EventLog.millis(durationNanos) + " ms");
    }
  }

  final List<Episode> episodes = new ArrayList<>();

  static FaultPlan draw(Scenario s, List<String> nodes, SplittableRandom rng) {
    FaultPlan plan = new FaultPlan();
    if (!s.faults()) {
      return plan;
    }
    long span = s.workloadNanos();
    int count = 2 + rng.nextInt(9);
    // A member crashed for good and removed takes its data with it: that is the run's one lost
    // disk (a second one could take the last copy of a write acknowledged with w = 2).
    boolean diskLost = s.change().kind() == Scenario.ChangeKind.REMOVE;
    for (int i = 0; i < count; i++) {
      long start = rng.nextLong(span);
      long duration = Math.min(span - start, 50_000_000L + rng.nextLong(span / 2));
      List<String> shuffled = shuffle(nodes, rng);
      int cut = 1 + rng.nextInt(nodes.size() - 1);
      List<String> a = List.copyOf(shuffled.subList(0, cut));
      List<String> b = List.copyOf(shuffled.subList(cut, shuffled.size()));
      int dice = rng.nextInt(100);
      Kind kind;
      long amount = 0;
      if (dice < 28) {
        // A disk loss is rare and happens to one node per run at most: N=3, W=2 keeps another
        // copy of every acknowledged write, so nothing acknowledged may be lost.
        kind = !diskLost && rng.nextInt(6) == 0 ? Kind.DISK_LOSS : Kind.CRASH;
        diskLost |= kind == Kind.DISK_LOSS;
        a = List.of(a.get(0));
      } else if (dice < 48) {
        kind = Kind.PARTITION;
      } else if (dice < 63) {
        kind = Kind.ONE_WAY;
      } else if (dice < 76) {
        kind = Kind.CLOG;
      } else if (dice < 88) {
        kind = Kind.LOSSY;
        amount = 5 + rng.nextInt(46);
      } else {
        kind = Kind.CLOCK_JUMP;
        a = List.of(a.get(0));
        long max = rng.nextBoolean() ? 10_000_000_000L : 3_600_000_000_000L;
        amount = rng.nextLong(2 * max) - max;
      }
      plan.episodes.add(new Episode(kind, start, duration, a, b, amount));
    }
    // Power cuts: in some runs, some crashes are the machine losing power (its disk loses what
    // it had not synced). Drawn from a stream split off last, so every other draw is unchanged.
    SplittableRandom power = rng.split();
    if (power.nextInt(100) < POWER_LOSS_PERCENT) {
      List<Integer> crashes = new ArrayList<>();
      for (int i = 0; i < plan.episodes.size(); i++) {
        if (plan.episodes.get(i).kind() == Kind.CRASH) {
          crashes.add(i);
        }
      }
      if (!crashes.isEmpty()) {
        int first = crashes.get(power.nextInt(crashes.size()));
        for (int i : crashes) {
          if (i == first || power.nextInt(2) == 0) {
            Episode e = plan.episodes.get(i);
            plan.episodes.set(i, new Episode(Kind.POWER_LOSS, e.startNanos(), e.durationNanos(),
                e.side(), e.otherSide(), e.amount()));
          }
        }
      }
    }
    return plan;
  }

  /** Whether some node loses power in this plan. */
  boolean hasPowerLoss() {
    for (Episode e : episodes) {
      if (e.kind() == Kind.POWER_LOSS) {
        return true;
      }
    }
    return false;
  }

  /** Puts every episode's start and end on the queue; nothing happens once faults stop. */
  void schedule(EventQueue queue, SimCluster cluster, SimNetwork net, EventLog log,
      java.util.function.BooleanSupplier faultsOn) {
    for (Episode e : episodes) {
      queue.after(e.startNanos(), null, () -> {
        if (faultsOn.getAsBoolean()) {
          log.add(() -> "FAULT " + e);
          begin(e, cluster, net);
          if (e.kind() == Kind.CLOCK_JUMP) {
            return; // a clock that jumped stays where it jumped to
          }
          queue.after(e.durationNanos(), null, () -> {
            if (faultsOn.getAsBoolean()) {
              log.add(() -> "FAULT ENDS " + e);
              end(e, cluster, net);
            }
          });
        }
      });
    }
  }

  private static void begin(Episode e, SimCluster cluster, SimNetwork net) {
    switch (e.kind()) {
      case CRASH -> cluster.crash(e.side().get(0));
      case DISK_LOSS -> cluster.loseDisk(e.side().get(0));
      case POWER_LOSS -> cluster.losePower(e.side().get(0));
      case PARTITION -> links(e, (x, y) -> { net.block(x, y); net.block(y, x); });
      case ONE_WAY -> links(e, net::block);
      case CLOG -> links(e, net::clog);
      case LOSSY -> net.setDropRate(net.dropRate() + e.amount() / 100.0);
      case CLOCK_JUMP -> cluster.node(e.side().get(0)).clock.jump(e.amount());
    }
  }

  private static void end(Episode e, SimCluster cluster, SimNetwork net) {
    switch (e.kind()) {
      case CRASH, DISK_LOSS, POWER_LOSS -> cluster.restart(e.side().get(0));
      case PARTITION -> links(e, (x, y) -> { net.unblock(x, y); net.unblock(y, x); });
      case ONE_WAY -> links(e, net::unblock);
      case CLOG -> links(e, net::unclog);
      case LOSSY -> net.setDropRate(Math.max(0, net.dropRate() - e.amount() / 100.0));
      case CLOCK_JUMP -> { } // never scheduled
    }
  }

  private static void links(Episode e, java.util.function.BiConsumer<String, String> each) {
    for (String x : e.side()) {
      for (String y : e.otherSide()) {
        each.accept(x, y);
      }
    }
  }

  private static List<String> shuffle(List<String> in, SplittableRandom rng) {
    List<String> out = new ArrayList<>(in);
    for (int i = out.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      String t = out.get(i);
      out.set(i, out.get(j));
      out.set(j, t);
    }
    return out;
  }

  String describe() {
    StringBuilder sb = new StringBuilder();
    for (Episode e : episodes) {
      sb.append("  ").append(e).append('\n');
    }
    return sb.length() == 0 ? "  (none)\n" : sb.toString();
  }
}
