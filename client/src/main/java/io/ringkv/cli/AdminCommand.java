package io.ringkv.cli;

import io.ringkv.client.RingKvAdmin;
import io.ringkv.client.RingKvAdmin.HeldHints;
import io.ringkv.client.RingKvAdmin.HintsReport;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
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
}
