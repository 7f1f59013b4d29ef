package io.ringkv.cli;

import io.ringkv.client.RingKvAdmin;
import io.ringkv.client.RingKvAdmin.HeldHints;
import io.ringkv.client.RingKvAdmin.HintsReport;
import io.ringkv.client.RingKvAdmin.RepairReport;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ringkv admin ...}: operating a cluster, one node at a time ({@code --node}). */
@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    description = "Administration: ask a node (--node) about its state.",
    synopsisSubcommandLabel = "COMMAND")
final class AdminCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing admin command");
  }

  /** {@code ringkv admin hints}. */
  @Command(
      name = "hints",
      mixinStandardHelpOptions = true,
      description = {
        "Shows the hints the node holds for other nodes (writes it took while they were down),"
            + " and how handoff is going: per node, the keys and bytes held, the age of the"
            + " oldest hint and whether the node is reachable (then handoff is under way)."})
  static final class Hints implements Callable<Integer> {

    private final RingKvCli top;

    Hints(RingKvCli top) {
      this.top = top;
    }

    @Override
    public Integer call() {
      HintsReport r;
      try (RingKvAdmin admin = RingKvAdmin.connect(top.node(), top.timeout())) {
        r = admin.hints();
      }
      if (top.json()) {
        StringBuilder held = new StringBuilder("[");
        for (HeldHints h : r.held()) {
          if (held.length() > 1) {
            held.append(',');
          }
          held.append(Json.object().field("node", h.node()).field("keys", h.keys())
              .field("bytes", h.bytes()).field("oldest_age_ms", h.oldestAgeMillis())
              .field("reachable", h.reachable()).end());
        }
        top.println(Json.object().field("node", r.node()).raw("held", held + "]")
            .field("total_keys", r.totalKeys()).field("total_bytes", r.totalBytes())
            .field("delivered", r.delivered()).field("refused_full", r.refusedFull())
            .field("dropped_expired", r.droppedExpired()).end());
        return 0;
      }
      top.println(String.format(Locale.ROOT,
          "node %s holds %d hints (%d bytes); since start: %d delivered, %d refused (store"
              + " full), %d dropped (too old)",
          r.node(), r.totalKeys(), r.totalBytes(), r.delivered(), r.refusedFull(),
          r.droppedExpired()));
      if (!r.held().isEmpty()) {
        top.println(String.format(Locale.ROOT, "  %-20s %10s %12s %10s  %s",
            "for", "keys", "bytes", "oldest", "reachable"));
        for (HeldHints h : r.held()) {
          top.println(String.format(Locale.ROOT, "  %-20s %10d %12d %9.1fs  %s", h.node(),
              h.keys(), h.bytes(), h.oldestAgeMillis() / 1000.0,
              h.reachable() ? "yes (handing off)" : "no"));
        }
      }
      return 0;
    }
  }

  /** {@code ringkv admin repair}. */
  @Command(
      name = "repair",
      mixinStandardHelpOptions = true,
      description = {
        "Runs anti-entropy on the node (--node) now: exchanges of each partition it is a home"
            + " replica of (or only --partition) with each other home replica (or only --peer),"
            + " one after the other, and reports what each found and repaired. Waits until they"
            + " are done: the default --timeout is 10 minutes here.",
        "Exit code 3 if an exchange failed or was skipped (its peer unreachable, its tree not"
            + " built yet, or an exchange of the pair already running): what was synced stays"
            + " synced; run it again."})
  static final class Repair implements Callable<Integer> {

    /** Unless --timeout says otherwise: a whole node's repair takes a while. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    private final RingKvCli top;

    @Option(names = "--partition", paramLabel = "P",
        description = "Only this partition (one the node is a home replica of).")
    Integer partition;

    @Option(names = "--peer", paramLabel = "NODE_ID",
        description = "Only with this other home replica (a node id).")
    String peer;

    Repair(RingKvCli top) {
      this.top = top;
    }

    @Override
    public Integer call() {
      RepairReport r;
      Duration timeout = top.timeout() != null ? top.timeout() : DEFAULT_TIMEOUT;
      try (RingKvAdmin admin = RingKvAdmin.connect(top.node(), timeout)) {
        r = admin.repair(partition, peer);
      }
      long failed = r.exchanges().stream().filter(e -> e.outcome().equals("failed")).count();
      long completed = r.exchanges().stream()
          .filter(e -> e.outcome().equals("completed")).count();
      long skipped = r.exchanges().size() - completed - failed;
      if (top.json()) {
        StringBuilder list = new StringBuilder("[");
        for (RingKvAdmin.Exchange e : r.exchanges()) {
          if (list.length() > 1) {
            list.append(',');
          }
          list.append(Json.object().field("partition", e.partition()).field("peer", e.peer())
              .field("outcome", e.outcome()).field("detail", e.detail())
              .field("nodes_compared", e.nodesCompared())
              .field("leaves_differing", e.leavesDiffering())
              .field("keys_compared", e.keysCompared())
              .field("keys_differing", e.keysDiffering())
              .field("keys_repaired", e.keysRepaired())
              .field("tombstones_purged", e.tombstonesPurged())
              .field("duration_ms", e.durationMillis()).end());
        }
        top.println(Json.object().field("node", r.node()).field("keys_repaired", r.keysRepaired())
            .field("failed", failed).field("skipped", skipped).raw("exchanges", list + "]").end());
      } else {
        top.println(String.format(Locale.ROOT,
            "node %s: %d exchanges (%d completed, %d failed, %d skipped), %d keys repaired",
            r.node(), r.exchanges().size(), completed, failed, skipped, r.keysRepaired()));
        if (!r.exchanges().isEmpty()) {
          top.println(String.format(Locale.ROOT, "  %9s  %-16s %-9s %9s %9s %7s %8s  %s",
              "partition", "peer", "outcome", "differing", "repaired", "purged", "time", "")
              .stripTrailing());
          for (RingKvAdmin.Exchange e : r.exchanges()) {
            top.println(String.format(Locale.ROOT, "  %9d  %-16s %-9s %9d %9d %7d %6dms  %s",
                e.partition(), e.peer(), e.outcome(), e.keysDiffering(), e.keysRepaired(),
                e.tombstonesPurged(), e.durationMillis(), e.detail()).stripTrailing());
          }
        }
      }
      // A skipped exchange repaired nothing: a script that runs a repair to be sure the replicas
      // agree must not read "done" when the peer was down (nodetool repair fails then too).
      if (failed + skipped > 0) {
        String why = r.exchanges().stream().filter(e -> !e.outcome().equals("completed"))
            .map(e -> e.detail()).filter(d -> !d.isEmpty()).findFirst().orElse("");
        top.printlnErr(String.format(Locale.ROOT,
            "error: %d of %d exchanges did not complete (%d failed, %d skipped)%s; what they"
                + " synced stays synced, run the repair again", failed + skipped,
            r.exchanges().size(), failed, skipped, why.isEmpty() ? "" : ", first: " + why));
        return RingKvCli.EXIT_SERVER;
      }
      return 0;
    }
  }
}
