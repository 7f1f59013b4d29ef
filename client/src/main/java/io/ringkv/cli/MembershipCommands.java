package io.ringkv.cli;

import io.ringkv.client.RingKvAdmin;
import io.ringkv.client.RingKvAdmin.Change;
import io.ringkv.client.RingKvAdmin.Move;
import io.ringkv.client.RingKvAdmin.NodeInfo;
import io.ringkv.client.RingKvAdmin.RingView;
import io.ringkv.client.RingKvAdmin.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ringkv admin join|leave|remove|status|ring}: changing and inspecting membership. Every
 * change accepts {@code --dry-run} (print the partitions that would move, change nothing).
 */
final class MembershipCommands {

  private MembershipCommands() {}

  /** {@code ringkv admin join --node NEW --seed EXISTING}. */
  @Command(name = "join", mixinStandardHelpOptions = true,
      description = {"Joins the node --node (a fresh node, a cluster of its own) to the cluster"
          + " of the member --seed. Returns once the cluster has accepted the node; its"
          + " partitions then move to it in the background (watch `ringkv admin status`)."})
  static final class Join implements Callable<Integer> {
    private final RingKvCli top;

    @Option(names = "--seed", required = true, paramLabel = "HOST:PORT",
        description = "A member of the cluster to join.")
    String seed;

    @Option(names = "--dry-run", description = "Print the partitions that would move; change"
        + " nothing.")
    boolean dryRun;

    @Option(names = "--weight", defaultValue = "1", paramLabel = "W",
        description = "The node's weight: its share of partitions relative to the others"
            + " (default 1).")
    int weight;

    @Spec CommandSpec spec;

    Join(RingKvCli top) {
      this.top = top;
    }

    @Override
    public Integer call() {
      if (weight < 1) {
        throw new ParameterException(spec.commandLine(), "--weight must be at least 1: " + weight);
      }
      try (RingKvAdmin admin = RingKvAdmin.connect(top.node(), top.timeout())) {
        print(top, admin.join(seed, dryRun, weight));
      }
      return 0;
    }
  }

  /** {@code ringkv admin leave --node X}. */
  @Command(name = "leave", mixinStandardHelpOptions = true,
      description = {"Decommissions the node --node: it keeps serving until its partitions have"
          + " moved to their new owners, then it is removed from the ring (it can be stopped"
          + " once `ringkv admin status` shows it removed)."})
  static final class Leave implements Callable<Integer> {
    private final RingKvCli top;

    @Option(names = "--dry-run", description = "Print the partitions that would move; change"
        + " nothing.")
    boolean dryRun;

    Leave(RingKvCli top) {
      this.top = top;
    }

    @Override
    public Integer call() {
      try (RingKvAdmin admin = RingKvAdmin.connect(top.node(), top.timeout())) {
        print(top, admin.leave(dryRun));
      }
      return 0;
    }
  }

  /** {@code ringkv admin remove --node X --seed LIVE}. */
  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = {"Removes the member --node (its node id or host:port), a node that is gone"
          + " for good, through the live member --seed: its partitions are rebuilt on their new"
          + " owners from the other replicas."})
  static final class Remove implements Callable<Integer> {
    private final RingKvCli top;

    @Option(names = "--seed", paramLabel = "HOST:PORT",
        description = "A live member that carries out the removal (required).")
    String seed;

    @Option(names = "--dry-run", description = "Print the partitions that would move; change"
        + " nothing.")
    boolean dryRun;

    @Spec CommandSpec spec;

    Remove(RingKvCli top) {
      this.top = top;
    }

    @Override
    public Integer call() {
      if (seed == null) {
        throw new ParameterException(spec.commandLine(), "remove needs --seed HOST:PORT, a live"
            + " member to carry it out (--node names the node to remove)");
      }
      try (RingKvAdmin admin = RingKvAdmin.connect(seed, top.timeout())) {
        print(top, admin.remove(top.node(), dryRun));
      }
      return 0;
    }
  }

  /** {@code ringkv admin status}. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = {"The cluster as the node --node sees it: members, their state and"
          + " reachability, the share of partitions each owns, the hints held for each, the"
          + " progress of a pending ring change, and the node's anti-entropy (time since each"
          + " home partition was last exchanged, keys repaired)."})
  static final class StatusCommand implements Callable<Integer> {
    private final RingKvCli top;

    @Option(names = "--partitions", description = "Also list anti-entropy per home partition.")
    boolean partitions;

    StatusCommand(RingKvCli top) {
      this.top = top;
    }

    @Override
    public Integer call() {
      Status s;
      RingKvAdmin.AntiEntropyReport ae;
      try (RingKvAdmin admin = RingKvAdmin.connect(top.node(), top.timeout())) {
        s = admin.status();
        ae = admin.antiEntropy();
      }
      if (top.json()) {
        List<String> parts = new ArrayList<>();
        for (RingKvAdmin.PartitionAntiEntropy p : ae.partitions()) {
          parts.add(Json.object().field("partition", p.partition())
              .field("home_replicas", p.homeReplicas()).field("tree_ready", p.treeReady())
              .field("last_exchange_age_ms", p.lastExchangeAgeMillis())
              .field("last_peer", p.lastPeer()).field("keys_repaired", p.keysRepaired()).end());
        }
        String antiEntropy = Json.object().field("enabled", ae.enabled())
            .field("exchanges_completed", ae.exchangesCompleted())
            .field("exchanges_failed", ae.exchangesFailed())
            .field("keys_repaired", ae.keysRepaired())
            .field("tombstones_purged", ae.tombstonesPurged())
            .raw("partitions", Json.array(parts)).end();
        List<String> nodes = new ArrayList<>();
        for (NodeInfo n : s.nodes()) {
          nodes.add(Json.object().field("id", n.id()).field("address", n.address())
              .field("state", n.state()).field("reachable", n.reachable())
              .field("share", round(n.share())).field("pending_share", round(n.pendingShare()))
              .field("hints", n.hints()).field("ring_version", n.ringVersion()).end());
        }
        top.println(Json.object().field("node", s.node()).field("cluster", s.cluster())
            .field("ring_version", s.ringVersion()).field("settled", s.settled())
            .field("pending_ring_version", s.pendingRingVersion())
            .field("handovers_total", s.handoversTotal())
            .field("handovers_done", s.handoversDone())
            .raw("nodes", Json.array(nodes)).raw("anti_entropy", antiEntropy).end());
        return 0;
      }
      top.println(String.format(Locale.ROOT, "cluster '%s' as node %s sees it: ring v%d, %s",
          s.cluster(), s.node(), s.ringVersion(), s.settled() ? "settled"
              : String.format(Locale.ROOT, "moving to ring v%d (%d of %d partition handovers"
                  + " done)", s.pendingRingVersion(), s.handoversDone(), s.handoversTotal())));
      top.println(String.format(Locale.ROOT, "  %-16s %-22s %-8s %-9s %6s %8s %8s %5s",
          "node", "address", "state", "reachable", "share", "pending", "hints", "ring"));
      for (NodeInfo n : s.nodes()) {
        top.println(String.format(Locale.ROOT, "  %-16s %-22s %-8s %-9s %5.1f%% %7.1f%% %8d %5s",
            n.id(), n.address(), n.state(), n.reachable() ? "yes" : "no", 100 * n.share(),
            100 * n.pendingShare(), n.hints(),
            n.ringVersion() == 0 ? "?" : "v" + n.ringVersion()));
      }
      printAntiEntropy(ae);
      return 0;
    }

    private void printAntiEntropy(RingKvAdmin.AntiEntropyReport ae) {
      if (!ae.enabled()) {
        top.println("anti-entropy: off");
        return;
      }
      long newest = Long.MAX_VALUE;
      long oldest = -1;
      int never = 0;
      int ready = 0;
      for (RingKvAdmin.PartitionAntiEntropy p : ae.partitions()) {
        ready += p.treeReady() ? 1 : 0;
        if (p.lastExchangeAgeMillis() < 0) {
          never++;
        } else {
          newest = Math.min(newest, p.lastExchangeAgeMillis());
          oldest = Math.max(oldest, p.lastExchangeAgeMillis());
        }
      }
      top.println(String.format(Locale.ROOT, "anti-entropy: %d home partitions (%d trees"
          + " ready); last exchange %s; since start %d exchanges (%d failed), %d keys repaired,"
          + " %d tombstones purged", ae.partitions().size(), ready,
          oldest < 0 ? "none yet" : String.format(Locale.ROOT, "%.1fs to %.1fs ago%s",
              newest / 1000.0, oldest / 1000.0, never > 0 ? " (" + never + " never)" : ""),
          ae.exchangesCompleted(), ae.exchangesFailed(), ae.keysRepaired(),
          ae.tombstonesPurged()));
      if (partitions) {
        top.println(String.format(Locale.ROOT, "  %9s  %-26s %-5s %14s  %-16s %8s", "partition",
            "home replicas", "tree", "last exchange", "with", "repaired"));
        for (RingKvAdmin.PartitionAntiEntropy p : ae.partitions()) {
          top.println(String.format(Locale.ROOT, "  %9d  %-26s %-5s %14s  %-16s %8d",
              p.partition(), String.join(",", p.homeReplicas()), p.treeReady() ? "ready" : "-",
              p.lastExchangeAgeMillis() < 0 ? "never"
                  : String.format(Locale.ROOT, "%.1fs ago", p.lastExchangeAgeMillis() / 1000.0),
              p.lastPeer().isEmpty() ? "-" : p.lastPeer(), p.keysRepaired()));
        }
      }
    }
  }

  /** {@code ringkv admin ring [--key K]}. */
  @Command(name = "ring", mixinStandardHelpOptions = true,
      description = {"The ring the node --node routes by: the owner of every partition, or with"
          + " --key the preference list of one key (its N home replicas, then fallbacks)."})
  static final class RingCommand implements Callable<Integer> {
    private final RingKvCli top;

    @Option(names = "--key", paramLabel = "KEY", description = "A key (UTF-8) to place.")
    String key;

    RingCommand(RingKvCli top) {
      this.top = top;
    }

    @Override
    public Integer call() {
      RingView r;
      try (RingKvAdmin admin = RingKvAdmin.connect(top.node(), top.timeout())) {
        r = admin.ring();
      }
      int n = Math.min(r.replicas(), r.nodes().size());
      if (key != null) {
        int p = r.partitionOf(key.getBytes(StandardCharsets.UTF_8));
        List<String> pref = r.preferenceList(p);
        if (top.json()) {
          top.println(Json.object().field("key", key).field("ring_version", r.version())
              .field("partition", p).field("home", pref.subList(0, n))
              .field("fallbacks", pref.subList(n, pref.size())).end());
        } else {
          top.println(String.format(Locale.ROOT, "key '%s': partition %d of %d (ring v%d)",
              key, p, r.partitions(), r.version()));
          top.println("  home replicas: " + String.join(", ", pref.subList(0, n)));
          top.println("  fallbacks:     " + (n == pref.size() ? "(none)"
              : String.join(", ", pref.subList(n, pref.size()))));
        }
        return 0;
      }
      if (top.json()) {
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < r.nodes().size(); i++) {
          nodes.add(Json.object().field("id", r.nodes().get(i))
              .field("address", r.addresses().get(i)).end());
        }
        top.println(Json.object().field("version", r.version())
            .field("partitions", r.partitions()).field("replicas", r.replicas())
            .raw("nodes", Json.array(nodes)).field("owners", r.owners()).end());
        return 0;
      }
      top.println(String.format(Locale.ROOT, "ring v%d: %d partitions, N=%d, %d nodes",
          r.version(), r.partitions(), r.replicas(), r.nodes().size()));
      for (int i = 0; i < r.nodes().size(); i++) {
        String node = r.nodes().get(i);
        long owned = r.owners().stream().filter(node::equals).count();
        top.println(String.format(Locale.ROOT, "  %-16s %-22s owns %d partitions", node,
            r.addresses().get(i), owned));
      }
      top.println("partition owner");
      for (int p = 0; p < r.partitions(); p++) {
        top.println(String.format(Locale.ROOT, "%9d %s", p, r.owners().get(p)));
      }
      return 0;
    }
  }

  private static double round(double share) {
    return Math.round(share * 10000) / 10000.0;
  }

  private static void print(RingKvCli top, Change c) {
    if (top.json()) {
      List<String> moves = new ArrayList<>();
      for (Move m : c.moves()) {
        moves.add(Json.object().field("partition", m.partition()).field("from", m.from())
            .field("to", m.to()).field("done", m.done()).end());
      }
      top.println(Json.object().field("dry_run", c.dryRun())
          .field("description", c.description()).field("ring_version", c.ringVersion())
          .field("pending_ring_version", c.pendingRingVersion())
          .raw("moves", Json.array(moves)).end());
      return;
    }
    String head = (c.dryRun() ? "dry run, nothing changed: " : "") + c.description();
    if (c.pendingRingVersion() == 0) {
      top.println(head + ": ring v" + c.ringVersion() + " is in effect, no partition moves");
      return;
    }
    top.println(String.format(Locale.ROOT, "%s: ring v%d -> v%d, %d partition handover%s%s",
        head, c.ringVersion(), c.pendingRingVersion(), c.moves().size(),
        c.moves().size() == 1 ? "" : "s", c.dryRun() ? " would run:"
            : " (data moves in the background; see `ringkv admin status`)"));
    if (c.dryRun()) {
      for (Move m : c.moves()) {
        top.println(String.format(Locale.ROOT, "  partition %5d: %s -> %s", m.partition(),
            String.join(",", m.from()), m.to()));
      }
    }
  }
}
