package io.ringkv.server.handoff;

import io.ringkv.env.Clock;
import io.ringkv.env.Scheduler;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.server.replica.Replica;
import io.ringkv.server.replica.ReplicaDirectory;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.HintStore.Hint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the hints this node holds back to the nodes they were meant for (Dynamo section 4.6).
 *
 * <p>Every interval, for each node with hints that the failure detector considers reachable, it
 * delivers them in batches (merges into that node's data) and deletes each hint only after the
 * node acknowledged it, and only if it did not change meanwhile. Redelivery is harmless: a merge
 * by vector clock. A round delivers at most {@code maxKeysPerSecond} times the interval, so a
 * recovering node is not flooded. A hint for a node that left the cluster goes to the key's
 * current home replicas. A hint older than the age bound is dropped, logged and counted:
 * anti-entropy is the backstop.
 *
 * <p>Store scans run on the storage executor; deliveries are asynchronous; the next round is
 * scheduled when this one is done, so rounds never overlap.
 */
public final class HintedHandoff {

  private static final Logger log = LoggerFactory.getLogger(HintedHandoff.class);

  /** Tunables (from {@code handoff.*}). */
  public record Settings(Duration interval, int batchSize, int maxKeysPerSecond,
      Duration maxAge) {}

  private final String self;
  private final HintStore hints;
  private final LocalReplica local;
  private final ReplicaDirectory peers;
  private final Predicate<String> isUp;
  private final Predicate<String> isMember;
  private final Function<byte[], List<String>> homeReplicas;
  private final Executor storage;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Settings settings;
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong expired = new AtomicLong();
  private volatile boolean stopped;
  private long rounds; // only touched by the round chain, which never overlaps itself

  /** Every this many rounds, hints of unreachable nodes are checked for age. */
  private static final int EXPIRY_SWEEP_ROUNDS = 60;

  public HintedHandoff(String self, LocalReplica local, ReplicaDirectory peers,
      Predicate<String> isUp, Predicate<String> isMember,
      Function<byte[], List<String>> homeReplicas, Scheduler scheduler, Clock clock,
      Settings settings) {
    this.self = self;
    this.hints = local.hints();
    this.local = local;
    this.peers = peers;
    this.isUp = isUp;
    this.isMember = isMember;
    this.homeReplicas = homeReplicas;
    this.storage = local.storageExecutor();
    this.scheduler = scheduler;
    this.clock = clock;
    this.settings = settings;
  }

  public void start() {
    scheduler.schedule(settings.interval(), this::round);
  }

  public void stop() {
    stopped = true;
  }

  /** Hints delivered (acknowledged and deleted) since start. */
  public long delivered() {
    return delivered.get();
  }

  /** Hints dropped for age since start. */
  public long expired() {
    return expired.get();
  }

  private void round() {
    if (stopped) {
      return;
    }
    rounds++;
    long budget = Math.max(settings.batchSize(),
        (long) settings.maxKeysPerSecond() * settings.interval().toMillis() / 1000);
    CompletableFuture
        .supplyAsync(() -> new ArrayList<>(hints.held().keySet()), storage)
        .thenCompose(nodes -> deliverAll(nodes.iterator(), budget))
        .whenComplete((left, err) -> {
          if (err != null) {
            log.warn("node {}: hinted handoff round failed: {}", self, err.toString());
          }
          if (!stopped) {
            scheduler.schedule(settings.interval(), this::round);
          }
        });
  }

  private CompletableFuture<Long> deliverAll(Iterator<String> nodes, long budget) {
    if (budget <= 0 || !nodes.hasNext()) {
      return CompletableFuture.completedFuture(budget);
    }
    String node = nodes.next();
    boolean member = isMember.test(node);
    if (member && !isUp.test(node)) {
      // Still down: keep its hints, but now and then drop the ones past the age bound.
      if (rounds % EXPIRY_SWEEP_ROUNDS != 0) {
        return deliverAll(nodes, budget);
      }
      return expire(node, null, new long[2]).thenCompose(x -> deliverAll(nodes, budget));
    }
    return deliverNode(node, member, null, budget, new long[2])
        .thenCompose(left -> deliverAll(nodes, left));
  }

  /** Drops the hints for {@code node} that are past the age bound, batch by batch. */
  private CompletableFuture<Void> expire(String node, byte[] after, long[] counts) {
    return CompletableFuture.supplyAsync(() -> {
      List<Hint> batch = hints.scan(node, after, settings.batchSize());
      long now = clock.wallMillis();
      for (Hint h : batch) {
        if (now - h.storedAtMillis() > settings.maxAge().toMillis() && hints.deleteIfUnchanged(h)) {
          expired.incrementAndGet();
          counts[1]++;
        }
      }
      return batch;
    }, storage).thenCompose(batch -> {
      if (batch.size() < settings.batchSize() || stopped) {
        report(node, counts);
        return CompletableFuture.completedFuture(null);
      }
      return expire(node, HintStore.entryKey(batch.get(batch.size() - 1)), counts);
    });
  }

  /** Delivers one node's hints batch by batch; {@code counts}: delivered, expired this round. */
  private CompletableFuture<Long> deliverNode(String node, boolean member, byte[] after,
      long budget, long[] counts) {
    int max = (int) Math.min(settings.batchSize(), budget);
    return CompletableFuture.supplyAsync(() -> hints.scan(node, after, max), storage)
        .thenCompose(batch -> {
          if (batch.isEmpty()) {
            report(node, counts);
            return CompletableFuture.completedFuture(budget);
          }
          List<CompletableFuture<Void>> sends = new ArrayList<>(batch.size());
          long now = clock.wallMillis();
          for (Hint h : batch) {
            if (now - h.storedAtMillis() > settings.maxAge().toMillis()) {
              sends.add(CompletableFuture.runAsync(() -> {
                if (hints.deleteIfUnchanged(h)) {
                  expired.incrementAndGet();
                  counts[1]++;
                }
              }, storage));
            } else {
              sends.add(deliver(h, member).thenAcceptAsync(ok -> {
                if (hints.deleteIfUnchanged(h)) {
                  delivered.incrementAndGet();
                  counts[0]++;
                }
              }, storage).exceptionally(err -> null)); // kept; next round retries
            }
          }
          byte[] last = HintStore.entryKey(batch.get(batch.size() - 1));
          return CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0]))
              .thenCompose(done -> batch.size() < max || !isUpOrGone(node, member)
                  ? CompletableFuture.completedFuture(budget - batch.size())
                      .thenApply(left -> {
                        report(node, counts);
                        return left;
                      })
                  : deliverNode(node, member, last, budget - batch.size(), counts));
        });
  }

  private boolean isUpOrGone(String node, boolean member) {
    return !member || isUp.test(node);
  }

  /**
   * To the node itself while it is still a home replica of the key; otherwise (it left, or a ring
   * change moved the key away from it) to every home replica of the key, where the data lives now.
   */
  private CompletableFuture<Void> deliver(Hint h, boolean member) {
    List<String> homes = homeReplicas.apply(h.key());
    if (member && homes.contains(h.node())) {
      return replica(h.node()).merge(h.key(), h.object());
    }
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (String home : homes) {
      all.add(replica(home).merge(h.key(), h.object()));
    }
    return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
  }

  private Replica replica(String node) {
    return node.equals(self) ? local : peers.peer(node);
  }

  private void report(String node, long[] counts) {
    if (counts[0] > 0) {
      log.info("node {}: handed off {} hints to {}{}", self, counts[0], node,
          isMember.test(node) ? "" : " (a former member: to the keys' home replicas)");
    }
    if (counts[1] > 0) {
      log.warn("node {}: dropped {} hints for {} older than {} (handoff.max-hint-age-ms);"
          + " anti-entropy will repair those keys", self, counts[1], node, settings.maxAge());
    }
    counts[0] = 0;
    counts[1] = 0;
  }
}
