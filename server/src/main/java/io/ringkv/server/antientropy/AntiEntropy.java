package io.ringkv.server.antientropy;

import io.ringkv.env.Clock;
import io.ringkv.env.Scheduler;
import io.ringkv.ring.Ring;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active anti-entropy (Dynamo section 4.7): replicas that diverged for any reason (a hint dropped
 * at its bound, a node down longer than hints are kept, a disk restored from an old backup)
 * converge again in the background.
 *
 * <p>Every {@code interval} this node (1) keeps its {@link HashTrees} in step with the ring (a
 * tree per partition it is a home replica of: trees of partitions it stopped being home for are
 * dropped, new ones built; the ring is read through the supplier every time, never cached), (2)
 * starts the next tree build if one is due, and (3) unless an exchange it started is still
 * running, starts one {@link Exchange}: the partition whose last exchange attempt is oldest, with
 * the next of its other home replicas that the failure detector considers up, in turn. After an
 * exchange it purges what tombstones of that partition may be purged. Exchanges are
 * rate-limited (keys synced per second) and a partition pair never has two at once: this node
 * runs at most one per pair, and a peer answering an exchange holds a lease on the pair (refusing
 * other exchanges of it, and not starting its own) until the initiator says it is done or the
 * lease runs out. If both nodes start one at the same moment, the exchange started by the
 * smaller node id goes on and the other is refused at its first call.
 *
 * <p>Tombstones: an exchange merges by vector clock, so a delete that one replica has seen
 * supersedes the deleted value on the other; a tombstone is never dropped by a merge. A
 * tombstone-only object is purged (removed from storage) only when its newest tombstone is older
 * than the grace period and every other home replica holds the same object or nothing at all
 * (then no replica holds a value the tombstone superseded, which could come back); and an
 * exchange never copies a tombstone past its grace to a replica holding nothing, so purges stick.
 * The grace period must outlast hints ({@code handoff.max-hint-age-ms}), so that no hint of a
 * deleted value can arrive after its tombstone was purged.
 *
 * <p>This class is also the peer side of exchanges ({@link AntiEntropyPeer}): the gRPC service and
 * the simulator call it when another node exchanges with this one. State shared between the timer,
 * storage and transport threads is small and guarded by this object's monitor; storage work runs
 * on the storage executor.
 */
public final class AntiEntropy implements AntiEntropyPeer {

  private static final Logger log = LoggerFactory.getLogger(AntiEntropy.class);

  /** Tombstones examined per purge pass of a partition. */
  static final int PURGE_BATCH = 64;

  /**
   * Tunables (from {@code anti-entropy.*}).
   *
   * @param enabled off: no trees, no exchanges, repair refused
   * @param interval how often an exchange is started (if none of this node's is running)
   * @param maxKeysPerSecond keys synced per second by all of this node's exchanges together
   * @param treeLeaves leaves per partition tree (a power of two; equal on every node)
   * @param rebuildInterval trees are rebuilt from storage this often
   * @param tombstoneGrace tombstones younger than this are never purged
   * @param leaseDuration how long a peer answering an exchange holds the pair if the initiator
   *     goes silent (a few RPC deadlines)
   */
  public record Settings(boolean enabled, Duration interval, int maxKeysPerSecond,
      int treeLeaves, Duration rebuildInterval, Duration tombstoneGrace, Duration leaseDuration) {}

  /** One partition as this node sees it. */
  public record PartitionStatus(int partition, boolean treeReady, long treeBuiltAtMillis,
      long lastExchangeAgeMillis, String lastPeer, long exchanges, long keysRepaired,
      List<String> homeReplicas) {}

  /**
   * This node's anti-entropy: per partition it is a home replica of, and totals since start.
   * {@code lastExchangeAgeMillis} is -1 for a partition never exchanged since start.
   */
  public record Status(boolean enabled, List<PartitionStatus> partitions, long exchangesCompleted,
      long exchangesFailed, long keysRepaired, long tombstonesPurged, long treesBuilt,
      long treeBytes) {}

  /** Per partition bookkeeping (guarded by the monitor). */
  private static final class Stats {
    long lastAttemptNanos = Long.MIN_VALUE;
    long lastCompletedNanos;
    boolean completedOnce;
    String lastPeer = "";
    long exchanges;
    long keysRepaired;
    int nextPeer;
    byte[] purgeAfter;
  }

  private record Lease(long number, long expiresNanos) {}

  private final String self;
  private final VersionedStore store;
  private final Executor storage;
  private final Supplier<Ring> ring;
  private final Predicate<String> isUp;
  private final Function<String, AntiEntropyPeer> peers;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Settings settings;
  private final Consumer<ExchangeResult> observer;
  private final HashTrees trees;
  private final RateLimiter limiter;

  private final Map<Integer, Stats> stats = new TreeMap<>();
  private final Set<String> running = new TreeSet<>();
  private final Map<String, Lease> leases = new TreeMap<>();
  private long exchangeNumbers;
  private boolean backgroundRunning;
  private volatile boolean stopped;
  private Scheduler.Cancellable nextTick;

  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong repaired = new AtomicLong();
  private final AtomicLong purged = new AtomicLong();

  /**
   * @param ring the ring now (read on every use: it changes at runtime)
   * @param isUp whether the failure detector considers a node reachable
   * @param peers how to reach another node's anti-entropy
   * @param observer told of every exchange this node ran (for logs, metrics, the simulator)
   */
  public AntiEntropy(String self, VersionedStore store, Executor storage, Supplier<Ring> ring,
      Predicate<String> isUp, Function<String, AntiEntropyPeer> peers, Scheduler scheduler,
      Clock clock, Settings settings, Consumer<ExchangeResult> observer) {
    this.self = self;
    this.store = store;
    this.storage = storage;
    this.ring = ring;
    this.isUp = isUp;
    this.peers = peers;
    this.scheduler = scheduler;
    this.clock = clock;
    this.settings = settings;
    this.observer = observer;
    this.trees = new HashTrees(store, new TreeShape(ring.get().partitionCount(),
        settings.treeLeaves()), storage, clock, settings.rebuildInterval());
    this.limiter = new RateLimiter(clock, settings.maxKeysPerSecond());
  }

  /** Starts listening to the store, building trees and exchanging (if enabled). */
  public void start() {
    if (!settings.enabled()) {
      return;
    }
    store.listen(trees);
    refreshTrees();
    synchronized (this) {
      nextTick = scheduler.schedule(settings.interval(), this::tick);
    }
  }

  /** Stops starting work; exchanges under way end on their own (their calls have deadlines). */
  public void stop() {
    stopped = true;
    synchronized (this) {
      if (nextTick != null) {
        nextTick.cancel();
      }
    }
    trees.stop();
    store.listen(null);
  }

  public HashTrees trees() {
    return trees;
  }

  /**
   * The ring changed: drop the trees of partitions this node is no longer a home replica of and
   * start building the new ones now rather than at the next round. (Rounds do it anyway.)
   */
  public void ringChanged() {
    if (settings.enabled() && !stopped) {
      refreshTrees();
    }
  }

  /** Marks a partition's tree stale (e.g. after data was written into storage around the store). */
  public void invalidate(int partition) {
    trees.invalidate(partition);
    trees.buildNext();
  }

  // ------------------------------------------------------------------ for Exchange

  VersionedStore store() {
    return store;
  }

  Executor storage() {
    return storage;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  Clock clock() {
    return clock;
  }

  RateLimiter limiter() {
    return limiter;
  }

  /**
   * Merges an object received in an exchange into this node's copy (on the storage executor);
   * returns the result and whether it changed. A tombstone-only object past the grace period is not copied to a
   * node holding nothing for the key: it may already have been purged here.
   */
  Synced mergeForRepair(byte[] key, VersionedObject incoming) {
    long now = clock.wallMillis();
    VersionedObject[] before = new VersionedObject[1];
    VersionedObject after = store.update(key, current -> {
      before[0] = current;
      if (current.siblings().isEmpty() && expiredTombstone(incoming, now)) {
        return current;
      }
      return current.merge(incoming);
    });
    return new Synced(after, !after.equals(before[0]));
  }

  private boolean expiredTombstone(VersionedObject o, long nowMillis) {
    long newest = HashTrees.newestTombstone(o);
    return newest >= 0 && nowMillis - newest > settings.tombstoneGrace().toMillis();
  }

  // ------------------------------------------------------------------ the background

  private void tick() {
    if (stopped) {
      return;
    }
    try {
      refreshTrees();
      Choice next = choose();
      if (next != null) {
        synchronized (this) {
          backgroundRunning = true;
        }
        exchangeAndPurge(next.partition, next.peer).whenComplete((r, e) -> {
          synchronized (this) {
            backgroundRunning = false;
          }
        });
      }
    } catch (RuntimeException e) {
      log.warn("node {}: anti-entropy round failed: {}", self, e.toString());
    } finally {
      synchronized (this) {
        if (!stopped) {
          nextTick = scheduler.schedule(settings.interval(), this::tick);
        }
      }
    }
  }

  /** Trees for exactly the partitions this node is a home replica of now; builds what is due. */
  private void refreshTrees() {
    Ring r = ring.get();
    Set<Integer> home = new TreeSet<>();
    for (int p = 0; p < r.partitionCount(); p++) {
      if (homeReplicas(r, p).contains(self)) {
        home.add(p);
      }
    }
    trees.retain(home);
    trees.buildNext();
  }

  private static List<String> homeReplicas(Ring r, int partition) {
    List<String> pref = r.preferenceList(partition);
    return pref.subList(0, Math.min(r.targetN(), pref.size()));
  }

  private record Choice(int partition, String peer) {}

  /** The partition tried least recently, with its next reachable peer not busy; or null. */
  private synchronized Choice choose() {
    if (backgroundRunning) {
      return null;
    }
    Ring r = ring.get();
    long now = clock.monotonicNanos();
    List<Integer> order = new ArrayList<>(trees.partitions());
    order.removeIf(p -> trees.ready(p) == null);
    // Ties (never tried) broken in an order that differs per node, so nodes whose rounds happen
    // to be in step do not all pick the same partition.
    int q = r.partitionCount();
    int offset = Math.floorMod(self.hashCode(), q);
    order.sort(Comparator.comparingLong((Integer p) -> stats(p).lastAttemptNanos)
        .thenComparingInt(p -> Math.floorMod(p - offset, q)));
    for (int p : order) {
      List<String> home = homeReplicas(r, p);
      if (!home.contains(self)) {
        continue; // the ring changed since the trees were refreshed
      }
      List<String> candidates = new ArrayList<>();
      for (String node : home) {
        if (!node.equals(self) && isUp.test(node) && !busy(p, node, now)) {
          candidates.add(node);
        }
      }
      if (!candidates.isEmpty()) {
        Stats s = stats(p);
        String peer = candidates.get(Math.floorMod(s.nextPeer++, candidates.size()));
        return new Choice(p, peer);
      }
    }
    return null;
  }

  private Stats stats(int partition) {
    return stats.computeIfAbsent(partition, p -> new Stats());
  }

  private static String pair(int partition, String node) {
    return partition + "/" + node;
  }

  /** Whether this node runs an exchange of the pair, or holds a live lease on it for the peer. */
  private boolean busy(int partition, String node, long nowNanos) {
    if (running.contains(pair(partition, node))) {
      return true;
    }
    Lease l = leases.get(pair(partition, node));
    return l != null && l.expiresNanos - nowNanos > 0;
  }

  // ------------------------------------------------------------------ exchanges

  private CompletableFuture<ExchangeResult> exchangeAndPurge(int partition, String peer) {
    return exchange(partition, peer).thenCompose(result ->
        result.outcome() == ExchangeResult.Outcome.SKIPPED
            ? CompletableFuture.completedFuture(result)
            : purge(partition).handle((n, e) -> result.withPurged(e == null ? n : 0)));
  }

  /** Runs one exchange now, unless the pair is busy or the tree is not built. */
  private CompletableFuture<ExchangeResult> exchange(int partition, String peerId) {
    AntiEntropyPeer.ExchangeId id;
    synchronized (this) {
      if (trees.ready(partition) == null) {
        return CompletableFuture.completedFuture(
            ExchangeResult.skipped(partition, peerId, "this node's tree is not built yet"));
      }
      if (busy(partition, peerId, clock.monotonicNanos())) {
        return CompletableFuture.completedFuture(ExchangeResult.skipped(partition, peerId,
            "an exchange of this partition with " + peerId + " is already running"));
      }
      running.add(pair(partition, peerId));
      stats(partition).lastAttemptNanos = clock.monotonicNanos();
      id = new AntiEntropyPeer.ExchangeId(self, ++exchangeNumbers);
    }
    AntiEntropyPeer peer;
    try {
      peer = peers.apply(peerId);
    } catch (RuntimeException e) {
      synchronized (this) {
        running.remove(pair(partition, peerId));
      }
      return CompletableFuture.completedFuture(
          ExchangeResult.skipped(partition, peerId, String.valueOf(e.getMessage())));
    }
    return new Exchange(this, partition, peerId, peer, id).run().thenApply(result -> {
      // Release the peer's lease (best effort: it runs out anyway).
      peer.done(id, partition).exceptionally(e -> null);
      finish(result);
      return result;
    });
  }

  private void finish(ExchangeResult r) {
    synchronized (this) {
      running.remove(pair(r.partition(), r.peer()));
      Stats s = stats(r.partition());
      s.exchanges++;
      s.keysRepaired += r.keysRepaired();
      if (r.outcome() == ExchangeResult.Outcome.COMPLETED) {
        s.lastCompletedNanos = clock.monotonicNanos();
        s.completedOnce = true;
        s.lastPeer = r.peer();
      }
    }
    repaired.addAndGet(r.keysRepaired());
    if (r.outcome() == ExchangeResult.Outcome.COMPLETED) {
      completed.incrementAndGet();
    } else {
      failed.incrementAndGet();
    }
    if (r.keysRepaired() > 0) {
      log.info("node {}: anti-entropy exchange of partition {} with {}: {}{}, {} of {} keys"
              + " compared differed, {} repaired, {} ms", self, r.partition(), r.peer(),
          r.outcome().name().toLowerCase(), r.detail().isEmpty() ? "" : " (" + r.detail() + ")",
          r.keysDiffering(), r.keysCompared(), r.keysRepaired(), r.durationMillis());
    } else if (r.outcome() == ExchangeResult.Outcome.FAILED) {
      // Usually a peer that just went away; counted in the metrics and the status.
      log.debug("node {}: anti-entropy exchange of partition {} with {} failed: {}", self,
          r.partition(), r.peer(), r.detail());
    }
    observer.accept(r);
  }

  /**
   * Runs exchanges now: of {@code partition} (null: every partition this node is a home replica
   * of) with {@code peer} (null: each other home replica), one after the other, each followed by
   * a tombstone purge pass of its partition. Pairs that cannot run (peer unreachable, tree not
   * built, already running) are reported as skipped.
   *
   * @throws KvException INVALID_ARGUMENT for a partition out of range or not this node's, or a
   *     peer that is not a home replica of it; FAILED_PRECONDITION when anti-entropy is off
   */
  public CompletableFuture<List<ExchangeResult>> repair(Integer partition, String peer) {
    if (!settings.enabled()) {
      throw new KvException(KvException.Code.FAILED_PRECONDITION,
          "anti-entropy is disabled on " + self + " (anti-entropy.enabled: false)");
    }
    Ring r = ring.get();
    List<Integer> parts = new ArrayList<>();
    if (partition != null) {
      if (partition < 0 || partition >= r.partitionCount()) {
        throw KvException.invalid("partition must be between 0 and " + (r.partitionCount() - 1)
            + ", got " + partition);
      }
      List<String> home = homeReplicas(r, partition);
      if (!home.contains(self)) {
        throw KvException.invalid(self + " is not a home replica of partition " + partition
            + " (its home replicas are " + String.join(", ", home) + ")");
      }
      parts.add(partition);
    } else {
      for (int p = 0; p < r.partitionCount(); p++) {
        if (homeReplicas(r, p).contains(self)) {
          parts.add(p);
        }
      }
    }
    if (peer != null && peer.equals(self)) {
      throw KvException.invalid("the peer must be another node than " + self);
    }
    if (peer != null && partition != null && !homeReplicas(r, partition).contains(peer)) {
      throw KvException.invalid(peer + " is not a home replica of partition " + partition
          + " (its home replicas are " + String.join(", ", homeReplicas(r, partition)) + ")");
    }
    List<Choice> pairs = new ArrayList<>();
    for (int p : parts) {
      for (String node : homeReplicas(r, p)) {
        if (!node.equals(self) && (peer == null || peer.equals(node))) {
          pairs.add(new Choice(p, node));
        }
      }
    }
    if (pairs.isEmpty() && peer != null) {
      throw KvException.invalid(peer + " is not a home replica of any partition with " + self);
    }
    List<ExchangeResult> out = new ArrayList<>();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (Choice c : pairs) {
      chain = chain.thenCompose(x -> {
        if (!isUp.test(c.peer())) {
          return CompletableFuture.completedFuture(
              ExchangeResult.skipped(c.partition(), c.peer(), c.peer() + " is unreachable"));
        }
        return exchangeAndPurge(c.partition(), c.peer());
      }).thenAccept(out::add);
    }
    return chain.thenApply(x -> out);
  }

  // ------------------------------------------------------------------ tombstone purge

  /**
   * Purges the partition's tombstones that may go: older than the grace period, and every other
   * home replica (all reachable) holds the same object or nothing. Returns how many were purged.
   */
  private CompletableFuture<Long> purge(int partition) {
    long olderThan = clock.wallMillis() - settings.tombstoneGrace().toMillis();
    byte[] after;
    synchronized (this) {
      after = stats(partition).purgeAfter;
    }
    List<byte[]> candidates = trees.tombstonesBefore(partition, olderThan, after, PURGE_BATCH);
    if (candidates.isEmpty()) {
      return CompletableFuture.completedFuture(0L);
    }
    synchronized (this) {
      stats(partition).purgeAfter = candidates.get(candidates.size() - 1);
    }
    List<String> others = new ArrayList<>(homeReplicas(ring.get(), partition));
    others.remove(self);
    for (String o : others) {
      if (!isUp.test(o)) {
        return CompletableFuture.completedFuture(0L);
      }
    }
    List<byte[]> keys = new ArrayList<>();
    for (byte[] sk : candidates) {
      keys.add(VersionedStore.userKey(sk));
    }
    CompletableFuture<List<VersionedObject>> local = CompletableFuture.supplyAsync(() -> {
      List<VersionedObject> mine = new ArrayList<>();
      for (byte[] k : keys) {
        mine.add(store.get(k));
      }
      return mine;
    }, storage);
    List<CompletableFuture<List<VersionedObject>>> remote = new ArrayList<>();
    try {
      for (String o : others) {
        remote.add(peers.apply(o).fetch(partition, keys));
      }
    } catch (RuntimeException e) { // no way to reach a peer (shutting down): purge nothing
      return CompletableFuture.completedFuture(0L);
    }
    return CompletableFuture.allOf(remote.toArray(new CompletableFuture<?>[0]))
        .thenCombine(local, (x, mine) -> mine)
        .thenApplyAsync(mine -> {
          long now = clock.wallMillis();
          long n = 0;
          for (int i = 0; i < keys.size(); i++) {
            VersionedObject o = mine.get(i);
            if (HashTrees.newestTombstone(o) < 0) {
              trees.forgetTombstone(candidates.get(i)); // written since: no longer a candidate
              continue;
            }
            if (!expiredTombstone(o, now)) {
              continue;
            }
            boolean everywhere = true;
            for (CompletableFuture<List<VersionedObject>> r : remote) {
              VersionedObject theirs = r.join().get(i);
              everywhere &= theirs.siblings().isEmpty() || theirs.equals(o);
            }
            if (everywhere && store.removeIfUnchanged(keys.get(i), o)) {
              n++;
            }
          }
          purged.addAndGet(n);
          if (n > 0) {
            log.info("node {}: purged {} tombstones of partition {}", self, n, partition);
          }
          return n;
        }, storage);
  }

  // ------------------------------------------------------------------ status

  public synchronized Status status() {
    Ring r = ring.get();
    long now = clock.monotonicNanos();
    List<PartitionStatus> parts = new ArrayList<>();
    for (int p : trees.partitions()) {
      Stats s = stats.get(p);
      parts.add(new PartitionStatus(p, trees.ready(p) != null, trees.builtAtMillis(p),
          s == null || !s.completedOnce ? -1 : (now - s.lastCompletedNanos) / 1_000_000,
          s == null ? "" : s.lastPeer, s == null ? 0 : s.exchanges,
          s == null ? 0 : s.keysRepaired, List.copyOf(homeReplicas(r, p))));
    }
    return new Status(settings.enabled(), parts, completed.get(), failed.get(), repaired.get(),
        purged.get(), trees.builds(), trees.bytes());
  }

  public long exchangesCompleted() {
    return completed.get();
  }

  public long exchangesFailed() {
    return failed.get();
  }

  public long keysRepaired() {
    return repaired.get();
  }

  public long tombstonesPurged() {
    return purged.get();
  }

  /**
   * The largest time since a home partition's last completed exchange, in milliseconds (counting
   * a partition never exchanged from when its tree was built); 0 with no trees.
   */
  public synchronized long oldestExchangeAgeMillis() {
    long now = clock.monotonicNanos();
    long oldest = 0;
    for (int p : trees.partitions()) {
      Stats s = stats.get(p);
      long since = s != null && s.completedOnce ? s.lastCompletedNanos : trees.builtAtNanos(p);
      if (since != Long.MIN_VALUE) {
        oldest = Math.max(oldest, (now - since) / 1_000_000);
      }
    }
    return oldest;
  }

  // ------------------------------------------------------------------ the peer side

  /** Refuses a peer's request this node cannot serve; takes or renews the lease on the pair. */
  private void admit(ExchangeId id, int partition, int leaves, boolean needTree) {
    if (!settings.enabled()) {
      throw refused("anti-entropy is disabled on " + self);
    }
    if (leaves != trees.shape().leaves()) {
      throw refused("tree shapes differ: anti-entropy.tree-leaves is " + trees.shape().leaves()
          + " on " + self + " and " + leaves + " on " + id.initiator());
    }
    Ring r = ring.get();
    if (partition < 0 || partition >= r.partitionCount()
        || !homeReplicas(r, partition).contains(self)) {
      throw refused(self + " is not a home replica of partition " + partition);
    }
    if (needTree && trees.ready(partition) == null) {
      throw refused(self + " has not built its tree of partition " + partition + " yet");
    }
    synchronized (this) {
      long now = clock.monotonicNanos();
      String key = pair(partition, id.initiator());
      // Both started an exchange of the pair at once: the one started by the smaller node id
      // goes on, the other is refused at its first call (before it changed anything).
      if (running.contains(key) && self.compareTo(id.initiator()) < 0) {
        throw refused(self + " is itself exchanging partition " + partition + " with "
            + id.initiator());
      }
      Lease l = leases.get(key);
      if (l != null && l.number() != id.number() && l.expiresNanos() - now > 0) {
        throw refused("an exchange of partition " + partition + " between " + self + " and "
            + id.initiator() + " is already running");
      }
      leases.put(key, new Lease(id.number(), now + settings.leaseDuration().toNanos()));
      leases.values().removeIf(x -> x.expiresNanos() - now <= 0);
    }
  }

  private static KvException refused(String why) {
    return new KvException(KvException.Code.FAILED_PRECONDITION, why, true);
  }

  private static <T> CompletableFuture<T> failed(RuntimeException e) {
    return CompletableFuture.failedFuture(e);
  }

  @Override
  public CompletableFuture<long[]> hashes(ExchangeId id, int partition, int leaves, int level,
      int[] indices) {
    try {
      admit(id, partition, leaves, true);
      MerkleTree tree = trees.ready(partition);
      if (tree == null || level < 0 || level > tree.rootLevel()) {
        throw KvException.invalid("no level " + level + " in the tree of partition " + partition);
      }
      long[] out = new long[indices.length];
      for (int i = 0; i < indices.length; i++) {
        if (indices[i] < 0 || indices[i] >= tree.width(level)) {
          throw KvException.invalid("no node " + indices[i] + " on level " + level);
        }
        out[i] = tree.hash(level, indices[i]);
      }
      return CompletableFuture.completedFuture(out);
    } catch (KvException e) {
      return failed(e);
    }
  }

  @Override
  public CompletableFuture<Page> leafKeys(ExchangeId id, int partition, int leaves,
      int[] leafIndices, byte[] after, int maxKeys) {
    try {
      admit(id, partition, leaves, false);
      int[] sorted = leafIndices.clone();
      Arrays.sort(sorted);
      for (int leaf : sorted) {
        if (leaf < 0 || leaf >= leaves) {
          throw KvException.invalid("no leaf " + leaf);
        }
      }
      int max = Math.max(1, Math.min(maxKeys, Exchange.MAX_KEYS_PER_PAGE));
      return CompletableFuture.supplyAsync(() -> trees.leafKeys(partition, sorted, after, max,
          Exchange.MAX_PAGE_BYTES), storage);
    } catch (KvException e) {
      return failed(e);
    }
  }

  @Override
  public CompletableFuture<List<Synced>> sync(ExchangeId id, int partition,
      List<KeyObject> objects) {
    try {
      admit(id, partition, trees.shape().leaves(), false);
      Ring r = ring.get();
      for (KeyObject o : objects) {
        if (r.partitionOf(o.key()) != partition) {
          throw KvException.invalid("a key outside partition " + partition);
        }
      }
      return CompletableFuture.supplyAsync(() -> {
        List<Synced> out = new ArrayList<>(objects.size());
        for (KeyObject o : objects) {
          out.add(mergeForRepair(o.key(), o.object()));
        }
        return out;
      }, storage);
    } catch (KvException e) {
      return failed(e);
    }
  }

  @Override
  public CompletableFuture<Void> done(ExchangeId id, int partition) {
    synchronized (this) {
      String key = pair(partition, id.initiator());
      Lease l = leases.get(key);
      if (l != null && l.number() == id.number()) {
        leases.remove(key);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<List<VersionedObject>> fetch(int partition, List<byte[]> keys) {
    Ring r = ring.get();
    if (!settings.enabled() || !homeReplicas(r, partition).contains(self)) {
      return failed(refused(self + " is not a home replica of partition " + partition));
    }
    return CompletableFuture.supplyAsync(() -> {
      List<VersionedObject> out = new ArrayList<>(keys.size());
      for (byte[] k : keys) {
        byte[] raw = store.getRaw(k);
        out.add(raw == null ? VersionedObject.EMPTY : VersionCodec.decodeObject(raw));
      }
      return out;
    }, storage);
  }
}
