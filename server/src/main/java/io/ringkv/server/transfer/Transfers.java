package io.ringkv.server.transfer;

import io.ringkv.env.Clock;
import io.ringkv.env.Scheduler;
import io.ringkv.gossip.ClusterState;
import io.ringkv.gossip.Gossiper;
import io.ringkv.gossip.Handover;
import io.ringkv.ring.Ring;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.server.replica.ReplicaDirectory;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.VersionedObject;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's part in moving data when the ring changes. As a receiver it runs the handovers the
 * pending ring assigns to it: for each, it pulls the partition from its sources
 * ({@link ClusterState#sources}) batch by batch, merging every object by version, saving its
 * place after each batch so a crash of either side resumes where it stopped, and marks the
 * handover done in the cluster state; the ring change commits once every handover is done. As a
 * current replica it serves those batches, and forwards every write of a moving partition to
 * its new home replica (as a hint if that fails), from the moment it knows of the change until
 * a grace period after the commit, so no write made during the move is missing on the new
 * owner. After that grace period it drops the partitions it no longer holds, and forwards their
 * writes until it has. A drop skips the keys {@linkplain LocalReplica#pin pinned} then and drops
 * them a retry interval later: a key whose write this node still coordinates (its copy counts
 * toward W until the write is answered), and a key whose forward is not acknowledged yet (a
 * coordinator may have counted this node's copy toward W: it stays until the new home replica
 * holds the write, or this node holds it as a hint).
 */
public final class Transfers implements Gossiper.Listener {

  private static final Logger log = LoggerFactory.getLogger(Transfers.class);

  /** One stored object of a partition. */
  public record Entry(byte[] key, VersionedObject object) {}

  /** A batch of a partition, in key order; {@code done}: nothing after it. */
  public record Batch(List<Entry> entries, boolean done) {}

  /** Fetches a batch from a source node. Carries a deadline. */
  @FunctionalInterface
  public interface Source {
    CompletableFuture<Batch> fetch(String node, int partition, byte[] afterKey, int maxBytes,
        long pendingRingVersion);
  }

  /**
   * @param batchBytes the size a source aims for per batch
   * @param parallel handovers received at once
   * @param retry how often stalled or failed handovers are tried again
   * @param forwardGrace how long after a commit writes are still forwarded (nodes that have not
   *     heard of the commit yet still send them to the old replicas), before old data is dropped
   */
  public record Settings(int batchBytes, int parallel, Duration retry, Duration forwardGrace) {}

  /**
   * Which new home replicas a partition's writes go to, for the partitions this node forwards:
   * until {@code untilNanos}, or for a partition this node is {@code leaving} (it holds it no
   * more in the ring forwarded to), until it has dropped it.
   */
  private record Forwarding(Ring ring, List<List<String>> targets, BitSet leaving,
      long untilNanos) {}

  /** A forward that failed and could not be kept as a hint either: tried again later. */
  private record Redelivery(ByteBuffer key, String node) {}

  private final String self;
  private final Gossiper gossiper;
  private final LocalReplica local;
  private final Source source;
  private final ReplicaDirectory peers;
  private final Predicate<String> isUp;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Settings settings;
  private final TransferProgress progress;
  private final Set<Handover> running = new HashSet<>();
  private final AtomicLong keysReceived = new AtomicLong();
  private final AtomicLong keysForwarded = new AtomicLong();
  private final AtomicLong redeliveriesStarted = new AtomicLong();
  private final AtomicReference<Forwarding> forwarding = new AtomicReference<>();
  /** Forwards waiting to be tried again, with the pin that keeps their key (guarded by this). */
  private final Map<Redelivery, LocalReplica.Pin> redeliveries = new HashMap<>();
  private boolean stopped;

  public Transfers(String self, Gossiper gossiper, LocalReplica local, Source source,
      ReplicaDirectory peers, Predicate<String> isUp, Scheduler scheduler, Clock clock,
      Settings settings) {
    this.self = self;
    this.gossiper = gossiper;
    this.local = local;
    this.source = source;
    this.peers = peers;
    this.isUp = isUp;
    this.scheduler = scheduler;
    this.clock = clock;
    this.settings = settings;
    this.progress = new TransferProgress(local.store().engine());
  }

  /** Starts: forwards for a change already pending, resumes its handovers, checks regularly. */
  public void start() {
    gossiper.addListener(this);
    ClusterState s = gossiper.state();
    if (!s.settled()) {
      forwarding.set(forwardingFor(s.ring(), s.next(), Long.MAX_VALUE));
    } else {
      // A restart between a commit and its drop (the drop is scheduled in memory) leaves
      // partitions this node no longer holds on its disk: forward their writes and drop them a
      // grace period from now, as after a commit seen while running. When nothing moved away,
      // the drop finds the key ranges of the partitions it does not hold empty (a seek each).
      Ring now = s.ring();
      forwarding.set(forwardingFor(now, now, Long.MAX_VALUE));
      scheduler.schedule(settings.forwardGrace(), () -> dropMoved(now));
    }
    local.onWrite(new LocalReplica.WriteListener() {
      @Override
      public boolean forwards(byte[] key) {
        return targetsOf(key) != null;
      }

      @Override
      public void written(byte[] key, VersionedObject stored, LocalReplica.Pin pin) {
        Transfers.this.written(key, stored, pin);
      }
    });
    scheduler.execute(this::tick);
  }

  public void stop() {
    List<LocalReplica.Pin> waiting;
    synchronized (this) {
      stopped = true;
      waiting = new ArrayList<>(redeliveries.values());
      redeliveries.clear();
    }
    waiting.forEach(LocalReplica.Pin::release);
  }

  /** Objects received by handovers since start. */
  public long keysReceived() {
    return keysReceived.get();
  }

  /** Writes forwarded to new home replicas since start. */
  public long keysForwarded() {
    return keysForwarded.get();
  }

  @Override
  public void changed(ClusterState before, ClusterState after) {
    if (!after.settled()) {
      if (before.next() == null || !before.next().equals(after.next())) {
        forwarding.set(forwardingFor(after.ring(), after.next(), Long.MAX_VALUE));
      }
      scheduler.execute(this::pump);
    } else if (!after.ring().equals(before.ring())) {
      // A commit (seen here, or learnt late by gossip, e.g. after this node was down): keep
      // forwarding for the grace period, then drop what this node no longer holds.
      long until = clock.monotonicNanos() + settings.forwardGrace().toNanos();
      forwarding.set(forwardingFor(before.ring(), after.ring(), until));
      Ring now = after.ring();
      scheduler.schedule(settings.forwardGrace(), () -> dropMoved(now));
    }
  }

  /**
   * The forwarding from ring {@code from} to ring {@code to}: a partition this node is a home
   * replica of in {@code from} goes to its home replicas new in {@code to}; a partition it is a
   * home replica of in neither goes to its home replicas in {@code to} (this node may still hold
   * it from before {@code from}, when a change was queued on the one that moved it away, and
   * drops it only after {@code to}'s commit).
   */
  private Forwarding forwardingFor(Ring from, Ring to, long untilNanos) {
    List<List<String>> targets = new ArrayList<>(from.partitionCount());
    BitSet leaving = new BitSet();
    boolean any = false;
    for (int p = 0; p < from.partitionCount(); p++) {
      List<String> before = ClusterState.homes(from, p);
      List<String> after = ClusterState.homes(to, p);
      List<String> add = new ArrayList<>();
      if (before.contains(self) || !after.contains(self)) {
        for (String node : after) {
          if (!before.contains(node) || !before.contains(self)) {
            add.add(node);
          }
        }
      }
      if (!after.contains(self)) {
        leaving.set(p);
      }
      any |= !add.isEmpty();
      targets.add(add.isEmpty() ? null : List.copyOf(add));
    }
    return any ? new Forwarding(from, targets, leaving, untilNanos) : null;
  }

  /** Where a write of {@code key} to this node's data is forwarded now, or null. */
  private List<String> targetsOf(byte[] key) {
    Forwarding f = forwarding.get();
    if (f == null) {
      return null;
    }
    int p = f.ring.partitionOf(key);
    List<String> to = f.targets.get(p);
    if (to == null
        || (!f.leaving.get(p) && clock.monotonicNanos() > f.untilNanos)) {
      return null;
    }
    return to;
  }

  /**
   * After a write to this node's data: forwards it to the partition's new home replicas, each
   * forward holding a pin of the key until it is acknowledged or kept as a hint. {@code pin}
   * (taken before the write, or null) bridges the write to those pins.
   */
  private void written(byte[] key, VersionedObject stored, LocalReplica.Pin pin) {
    try {
      List<String> to = targetsOf(key);
      if (to == null) {
        return;
      }
      for (String node : to) {
        keysForwarded.incrementAndGet();
        forward(key, stored, node, local.pin(key));
      }
    } finally {
      if (pin != null) {
        pin.release();
      }
    }
  }

  /**
   * Merges {@code object} into {@code node}; if that fails, keeps it as a hint for the node
   * (handoff delivers it when the node answers again, or to the key's home replicas if the node
   * no longer is one); if the hint store refuses it too (full), tries again later. Releases
   * {@code pin} once the node or the hint store holds the object: until then this node's copy
   * may be one a coordinator counted toward W.
   */
  private void forward(byte[] key, VersionedObject object, String node, LocalReplica.Pin pin) {
    peers.peer(node).merge(key, object).whenComplete((ok, failure) -> {
      if (failure == null) {
        pin.release();
        return;
      }
      local.hint(key, object, node).whenComplete((kept, refused) -> {
        if (refused == null) {
          pin.release();
        } else {
          redeliverLater(key, node, pin, refused);
        }
      });
    });
  }

  /**
   * Tries a forward again a retry interval later, with the key's object as stored then (so one
   * waiting forward per key and node carries every write made meanwhile, and what waits stays
   * bounded by the keys).
   */
  private void redeliverLater(byte[] key, String node, LocalReplica.Pin pin, Throwable why) {
    Redelivery r = new Redelivery(ByteBuffer.wrap(key.clone()), node);
    boolean first;
    synchronized (this) {
      first = !stopped && redeliveries.putIfAbsent(r, pin) == null;
    }
    if (!first) {
      pin.release(); // the waiting one reads the key when it runs, so it carries this write too
      return;
    }
    long n = redeliveriesStarted.incrementAndGet();
    if (n == 1 || n % 1000 == 0) {
      log.warn("node {}: a write forwarded to {} failed and could not be kept as a hint ({});"
          + " keeping the key and trying again every {} ({} such forwards so far)", self, node,
          why.toString(), settings.retry(), n);
    }
    scheduler.schedule(settings.retry(), () -> redeliver(r));
  }

  private void redeliver(Redelivery r) {
    LocalReplica.Pin pin;
    synchronized (this) {
      pin = redeliveries.remove(r);
    }
    if (pin == null) {
      return; // stopped
    }
    byte[] key = r.key().array();
    local.read(key).whenComplete((object, failure) -> {
      if (failure != null) {
        redeliverLater(key, r.node(), pin, failure);
      } else {
        forward(key, object, r.node(), pin);
      }
    });
  }

  private void tick() {
    synchronized (this) {
      if (stopped) {
        return;
      }
    }
    pump();
    scheduler.schedule(settings.retry(), this::tick);
  }

  /** Starts the handovers this node still has to receive, up to the parallel limit. */
  private void pump() {
    ClusterState s = gossiper.state();
    if (s.settled()) {
      return;
    }
    long version = s.next().version();
    List<Handover> start = new ArrayList<>();
    synchronized (this) {
      if (stopped) {
        return;
      }
      for (Handover h : s.remaining()) {
        if (running.size() + start.size() >= settings.parallel()) {
          break;
        }
        if (h.node().equals(self) && !running.contains(h)) {
          start.add(h);
        }
      }
      running.addAll(start);
    }
    for (Handover h : start) {
      List<String> sources = s.sources(h, node -> node.equals(self) || isUp.test(node));
      if (sources.isEmpty()) {
        log.warn("node {}: no reachable replica to receive partition {} from (home replicas: {});"
            + " retrying in {}", self, h.partition(), ClusterState.homes(s.ring(), h.partition()),
            settings.retry());
        finished(h);
        continue;
      }
      // A change is named by its state version and author, not by its pending ring's version: a
      // change lost to a commit and made again on top of it has a pending ring of the same
      // version, but the data pulled for the lost one may have been dropped since (after the
      // commit's forward grace), so its progress must not count.
      String change = s.version() + " " + s.author();
      receive(h, sources, 0, version, change).whenComplete((ok, failure) -> {
        finished(h);
        if (failure != null) {
          log.info("node {}: receiving partition {} failed, will retry: {}", self, h.partition(),
              failure.toString());
          return;
        }
        ClusterState after = gossiper.update(st -> st.sameChange(s)
            ? st.withDone(Set.of(h)).commitIfComplete() : st);
        log.info("node {}: received partition {} from {} ({} of {} handovers of ring v{} done)",
            self, h.partition(), sources, after.settled() ? "all" : after.done().size(),
            after.settled() ? "all" : after.needed().size(), version);
        scheduler.execute(this::pump);
      });
    }
  }

  private synchronized void finished(Handover h) {
    running.remove(h);
  }

  /** Pulls the partition from each source in turn. */
  private CompletableFuture<Void> receive(Handover h, List<String> sources, int index,
      long version, String change) {
    if (index == sources.size()) {
      return CompletableFuture.completedFuture(null);
    }
    String from = sources.get(index);
    String id = TransferProgress.id(change, h.partition(), from);
    return CompletableFuture.supplyAsync(() -> progress.load(id), local.storageExecutor())
        .thenCompose(after -> {
          if (after == TransferProgress.DONE) {
            return CompletableFuture.<Void>completedFuture(null);
          }
          if (after != null) {
            log.info("node {}: resuming partition {} from {} after the last key it stored",
                self, h.partition(), from);
          }
          return pull(h.partition(), from, after == null ? new byte[0] : after, version, id);
        })
        .thenCompose(v -> receive(h, sources, index + 1, version, change));
  }

  private CompletableFuture<Void> pull(int partition, String from, byte[] after, long version,
      String id) {
    return source.fetch(from, partition, after, settings.batchBytes(), version)
        .thenComposeAsync(batch -> {
          VersionedStore store = local.store();
          byte[] last = after;
          for (Entry e : batch.entries()) {
            store.merge(e.key(), e.object());
            last = e.key();
          }
          keysReceived.addAndGet(batch.entries().size());
          progress.save(id, batch.done() ? TransferProgress.DONE : last);
          if (after.length == 0 && !batch.done()) {
            log.info("node {}: receiving partition {} from {} (first batch of {} keys stored)",
                self, partition, from, batch.entries().size());
          }
          if (batch.done()) {
            return CompletableFuture.completedFuture(null);
          }
          if (batch.entries().isEmpty()) {
            return CompletableFuture.failedFuture(
                KvException.unavailable("empty batch from " + from + " that is not the last"));
          }
          return pull(partition, from, last, version, id);
        }, local.storageExecutor());
  }

  /**
   * Serves a batch of a partition to a node receiving it (runs on the storage executor). Only for
   * a ring change this node knows of, so that it forwards later writes to the receiver.
   */
  public CompletableFuture<Batch> serve(int partition, byte[] afterKey, int maxBytes,
      long pendingRingVersion) {
    ClusterState s = gossiper.state();
    boolean known = (s.next() != null && s.next().version() == pendingRingVersion)
        || s.ring().version() >= pendingRingVersion;
    if (!known) {
      return CompletableFuture.failedFuture(new KvException(KvException.Code.FAILED_PRECONDITION,
          "node " + self + " does not know ring v" + pendingRingVersion + " yet (it has v"
              + s.target().version() + "); retry after gossip"));
    }
    Ring ring = s.ring();
    if (partition < 0 || partition >= ring.partitionCount()) {
      return CompletableFuture.failedFuture(KvException.invalid(
          "partition: " + partition + " is not in [0, " + ring.partitionCount() + ")"));
    }
    int max = Math.max(1, Math.min(maxBytes, 16 << 20));
    return CompletableFuture.supplyAsync(
        () -> PartitionScan.batch(local.store(), ring, partition, afterKey, max),
        local.storageExecutor());
  }

  /**
   * Drops every partition this node is not a home replica of in the committed ring, if that ring
   * is still in effect and settled (a later change reschedules this after its own commit). Covers
   * what earlier changes moved away too. Pinned keys are kept and dropped a retry interval later;
   * writes of the partitions dropped are forwarded until nothing is left.
   */
  private void dropMoved(Ring now) {
    ClusterState s = gossiper.state();
    if (!s.settled() || !s.ring().equals(now)) {
      log.info("node {}: ring changed again since v{}; dropping moved data after that change",
          self, now.version());
      return;
    }
    Forwarding forwarded = forwarding.get();
    List<Integer> drop = new ArrayList<>();
    for (int p = 0; p < now.partitionCount(); p++) {
      if (!ClusterState.homes(now, p).contains(self)) {
        drop.add(p);
      }
    }
    if (drop.isEmpty()) {
      forwarding.compareAndSet(forwarded, null);
      return;
    }
    local.storageExecutor().execute(() -> {
      // A pinned key is kept: a write round this node still coordinates counts its copy toward
      // W (the coordinator pins the key first, then reads the ring, so a round that starts after
      // this sees that it no longer holds the key and does not coordinate), or a forward of a
      // write this node acknowledged is still on the wire. A write pins its key before it writes
      // while its partition is forwarded, and each batch's deletion is atomic with writes, so a
      // write is either kept or made after the deletion.
      long deleted = 0;
      long kept = 0;
      for (int p : drop) {
        PartitionScan.Dropped d = PartitionScan.drop(local.store(), now, p, local::isPinned);
        deleted += d.deleted();
        kept += d.kept();
      }
      if (deleted > 0) {
        log.info("node {}: dropped {} keys of partitions it no longer holds in ring v{}", self,
            deleted, now.version());
      }
      if (kept > 0) {
        log.debug("node {}: {} keys of partitions it no longer holds wait for writes this node"
            + " coordinates or forwards; dropping them in {}", self, kept, settings.retry());
        scheduler.schedule(settings.retry(), () -> dropMoved(now));
      } else {
        // Nothing left to forward from (a write arriving from now on is kept: it is not dropped).
        forwarding.compareAndSet(forwarded, null);
      }
    });
  }
}
