package io.ringkv.server.antientropy;

import io.ringkv.env.Clock;
import io.ringkv.storage.Cursor;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.Sibling;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's hash trees, one per partition it is a home replica of, kept up to date on every
 * change to the {@link VersionedStore} (it is the store's listener) and built from storage when a
 * partition becomes this node's, after a restart (trees live in memory only: a node always
 * rebuilds them on start, so a crash can never leave a stale tree behind), when asked to ({@link
 * #invalidate}, e.g. after data was written around the store) and every rebuild interval.
 *
 * <p>A build does not stop writes: it registers its new tree with {@link
 * VersionedStore#scanAtomically}, so every change is either in its scan's snapshot or applied to
 * the new tree as a delta afterwards, never both, never neither; XOR makes the scan and the deltas
 * commute. The old tree keeps serving exchanges until the new one is complete. One build runs at a
 * time, in chunks on the storage executor, so builds never monopolise the storage threads.
 *
 * <p>Also remembers, per partition, keys whose object is only tombstones (at most {@link
 * #MAX_TOMBSTONE_CANDIDATES} each; more are found by the next build): the candidates of tombstone
 * purge.
 */
public final class HashTrees implements VersionedStore.ChangeListener {

  private static final Logger log = LoggerFactory.getLogger(HashTrees.class);

  /** Tombstone candidates remembered per partition. */
  public static final int MAX_TOMBSTONE_CANDIDATES = 10_000;

  /** Keys hashed per storage task during a build. */
  static final int BUILD_CHUNK = 1_000;

  /** One partition's trees and tombstone candidates. */
  static final class Slot {
    final int partition;
    /** The tree exchanges use; null until the first build completes. */
    volatile MerkleTree ready;
    /** The tree being built; null when no build runs. */
    volatile MerkleTree building;
    volatile long builtAtNanos;
    volatile long builtAtMillis;
    volatile boolean stale;
    volatile boolean dropped;
    /** Storage key -> newest tombstone's timestamp. */
    final ConcurrentSkipListMap<byte[], Long> tombstones =
        new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    final AtomicInteger tombstoneCount = new AtomicInteger();

    Slot(int partition) {
      this.partition = partition;
    }

    void noteTombstone(byte[] storageKey, long newestMillis) {
      if (tombstones.put(storageKey, newestMillis) == null
          && tombstoneCount.incrementAndGet() > MAX_TOMBSTONE_CANDIDATES) {
        forgetTombstone(storageKey);
      }
    }

    void forgetTombstone(byte[] storageKey) {
      if (tombstones.remove(storageKey) != null) {
        tombstoneCount.decrementAndGet();
      }
    }
  }

  private final VersionedStore store;
  private final TreeShape shape;
  private final Executor storage;
  private final Clock clock;
  private final Duration rebuildAfter;
  private final Map<Integer, Slot> slots = new ConcurrentHashMap<>();
  private final AtomicBoolean buildRunning = new AtomicBoolean();
  private volatile boolean stopped;
  private final AtomicLong builds = new AtomicLong();

  /** @param rebuildAfter a tree is rebuilt from storage once it is this old */
  public HashTrees(VersionedStore store, TreeShape shape, Executor storage, Clock clock,
      Duration rebuildAfter) {
    this.store = store;
    this.shape = shape;
    this.storage = storage;
    this.clock = clock;
    this.rebuildAfter = rebuildAfter;
  }

  public TreeShape shape() {
    return shape;
  }

  // ------------------------------------------------------------------ incremental updates

  @Override
  public void changed(byte[] storageKey, byte[] before, byte[] after, VersionedObject object) {
    long token = VersionedStore.token(storageKey);
    Slot slot = slots.get(shape.partitionOf(token));
    if (slot == null) {
      return;
    }
    long delta = (before == null ? 0 : MerkleTree.keyHash(storageKey, before))
        ^ (after == null ? 0 : MerkleTree.keyHash(storageKey, after));
    int leaf = shape.leafOf(token);
    // Read the tree being built first: a build completes by publishing it as ready and then
    // clearing it, so this order never misses the new tree nor toggles one tree twice.
    MerkleTree b = slot.building;
    MerkleTree r = slot.ready;
    if (b != null) {
      b.toggle(leaf, delta);
    }
    if (r != null && r != b) {
      r.toggle(leaf, delta);
    }
    long newest = newestTombstone(object);
    if (newest >= 0) {
      slot.noteTombstone(storageKey, newest);
    } else {
      slot.forgetTombstone(storageKey);
    }
  }

  /** The newest timestamp of an object made only of tombstones, or -1 for any other object. */
  static long newestTombstone(VersionedObject o) {
    if (o.siblings().isEmpty() || !o.isDeleted()) {
      return -1;
    }
    long newest = 0;
    for (Sibling s : o.siblings()) {
      newest = Math.max(newest, s.timestampMillis());
    }
    return newest;
  }

  // ------------------------------------------------------------------ which trees exist

  /**
   * Keeps trees for exactly these partitions (the ones this node is a home replica of now): drops
   * the others, and adds empty unbuilt slots for new ones ({@link #buildNext} builds them).
   */
  public void retain(Set<Integer> partitions) {
    for (Slot s : new ArrayList<>(slots.values())) {
      if (!partitions.contains(s.partition)) {
        s.dropped = true;
        slots.remove(s.partition);
      }
    }
    for (int p : partitions) {
      slots.computeIfAbsent(p, Slot::new);
    }
  }

  /** The partitions with a tree slot (built or not), ascending. */
  public List<Integer> partitions() {
    return new ArrayList<>(new TreeSet<>(slots.keySet()));
  }

  /** The partition's tree, or null if it has none or it is not built yet. */
  public MerkleTree ready(int partition) {
    Slot s = slots.get(partition);
    return s == null ? null : s.ready;
  }

  /** When the partition's tree was last built (monotonic clock), or {@code Long.MIN_VALUE}. */
  public long builtAtNanos(int partition) {
    Slot s = slots.get(partition);
    return s == null || s.ready == null ? Long.MIN_VALUE : s.builtAtNanos;
  }

  /** When the partition's tree was last built (wall clock), or -1. */
  public long builtAtMillis(int partition) {
    Slot s = slots.get(partition);
    return s == null || s.ready == null ? -1 : s.builtAtMillis;
  }

  /** Marks the partition's tree as possibly stale: it is rebuilt soon. */
  public void invalidate(int partition) {
    Slot s = slots.get(partition);
    if (s != null) {
      s.stale = true;
    }
  }

  /** Trees built since start. */
  public long builds() {
    return builds.get();
  }

  /** Whether a build is under way. */
  public boolean building() {
    return buildRunning.get();
  }

  /** Memory taken by the trees' hashes, in bytes. */
  public long bytes() {
    long n = 0;
    for (Slot s : slots.values()) {
      MerkleTree r = s.ready;
      MerkleTree b = s.building;
      n += (r == null ? 0 : r.bytes()) + (b == null ? 0 : b.bytes());
    }
    return n;
  }

  // ------------------------------------------------------------------ builds

  /**
   * Starts building one tree if none is being built: first a partition without a tree (lowest
   * first), else the oldest tree that is invalidated or due for its rebuild. When a build ends the
   * next due one starts. Returns the partition, or -1 if nothing was started.
   */
  public int buildNext() {
    if (stopped || buildRunning.get()) {
      return -1;
    }
    Slot pick = null;
    long now = clock.monotonicNanos();
    for (int p : partitions()) {
      Slot s = slots.get(p);
      if (s == null) {
        continue;
      }
      if (s.ready == null) {
        pick = s;
        break;
      }
      boolean due = s.stale || now - s.builtAtNanos >= rebuildAfter.toNanos();
      if (due && (pick == null || s.builtAtNanos < pick.builtAtNanos)) {
        pick = s;
      }
    }
    if (pick == null || !buildRunning.compareAndSet(false, true)) {
      return -1;
    }
    Slot slot = pick;
    slot.stale = false;
    storage.execute(() -> startBuild(slot));
    return slot.partition;
  }

  private void startBuild(Slot slot) {
    MerkleTree tree = new MerkleTree(shape.leaves());
    Cursor cursor;
    try {
      cursor = store.scanAtomically(shape.lowerBound(slot.partition, 0),
          shape.upperBound(slot.partition, shape.leaves()), () -> slot.building = tree);
    } catch (RuntimeException e) {
      endBuild(slot, null, e);
      return;
    }
    continueBuild(slot, tree, cursor);
  }

  /** Starts no more builds and ends the one under way at its next chunk. */
  public void stop() {
    stopped = true;
  }

  private void continueBuild(Slot slot, MerkleTree tree, Cursor cursor) {
    try {
      for (int n = 0; n < BUILD_CHUNK && cursor.hasNext(); n++) {
        if (slot.dropped || stopped) {
          cursor.close();
          endBuild(slot, null, null);
          return;
        }
        Cursor.Entry e = cursor.next();
        long token = VersionedStore.token(e.key());
        tree.toggle(shape.leafOf(token), MerkleTree.keyHash(e.key(), e.value()));
        long newest = newestTombstone(VersionCodec.decodeObject(e.value()));
        if (newest >= 0) {
          slot.noteTombstone(e.key(), newest);
        }
      }
      if (cursor.hasNext()) {
        storage.execute(() -> continueBuild(slot, tree, cursor));
        return;
      }
      cursor.close();
      endBuild(slot, tree, null);
    } catch (RuntimeException e) {
      try {
        cursor.close();
      } catch (RuntimeException ignored) {
        // the engine is closing: nothing to release
      }
      endBuild(slot, null, e);
    }
  }

  private void endBuild(Slot slot, MerkleTree built, RuntimeException error) {
    if (built != null && !slot.dropped) {
      slot.builtAtNanos = clock.monotonicNanos();
      slot.builtAtMillis = clock.wallMillis();
      slot.ready = built; // publish first, then clear: see changed()
      builds.incrementAndGet();
    }
    slot.building = null;
    if (error != null) {
      slot.stale = true;
      log.warn("building the hash tree of partition {} failed: {}", slot.partition,
          error.toString());
    }
    buildRunning.set(false);
    if (error == null) {
      buildNext();
    }
  }

  // ------------------------------------------------------------------ reading leaves

  /**
   * The keys of the given leaves (ascending) of a partition with their hashes, in storage-key
   * order, after {@code after} (exclusive; null: from the start), at most {@code maxKeys} and
   * about {@code maxBytes} of keys. Reads storage: call on the storage executor.
   */
  public AntiEntropyPeer.Page leafKeys(int partition, int[] leaves, byte[] after, int maxKeys,
      int maxBytes) {
    List<AntiEntropyPeer.KeyHash> out = new ArrayList<>();
    long bytes = 0;
    int i = 0;
    while (i < leaves.length) {
      int first = leaves[i];
      int last = first;
      while (i + 1 < leaves.length && leaves[i + 1] == last + 1) {
        last = leaves[++i];
      }
      i++;
      byte[] from = shape.lowerBound(partition, first);
      byte[] to = shape.upperBound(partition, last + 1);
      if (after != null && Arrays.compareUnsigned(after, from) >= 0) {
        from = Arrays.copyOf(after, after.length + 1); // the first key after 'after'
      }
      if (to != null && Arrays.compareUnsigned(from, to) >= 0) {
        continue;
      }
      try (Cursor c = store.engine().scan(io.ringkv.storage.StorageEngine.Space.DATA, from, to)) {
        while (c.hasNext()) {
          Cursor.Entry e = c.next();
          out.add(new AntiEntropyPeer.KeyHash(e.key(), MerkleTree.keyHash(e.key(), e.value())));
          bytes += e.key().length + 16;
          if (out.size() >= maxKeys || bytes >= maxBytes) {
            return new AntiEntropyPeer.Page(out, c.hasNext() || i < leaves.length);
          }
        }
      }
    }
    return new AntiEntropyPeer.Page(out, false);
  }

  /**
   * Tombstone candidates of the partition whose newest tombstone is older than {@code
   * olderThanMillis}, at most {@code max}, in key order from after {@code after} (null: from the
   * start), wrapping around: successive passes visit every candidate even if the first ones stay
   * blocked.
   */
  public List<byte[]> tombstonesBefore(int partition, long olderThanMillis, byte[] after,
      int max) {
    Slot s = slots.get(partition);
    List<byte[]> out = new ArrayList<>();
    if (s == null) {
      return out;
    }
    var tail = after == null ? s.tombstones : s.tombstones.tailMap(after, false);
    collect(tail, olderThanMillis, max, out);
    if (after != null) {
      collect(s.tombstones.headMap(after, true), olderThanMillis, max, out);
    }
    return out;
  }

  private static void collect(Map<byte[], Long> candidates, long olderThanMillis, int max,
      List<byte[]> out) {
    for (Map.Entry<byte[], Long> e : candidates.entrySet()) {
      if (out.size() >= max) {
        return;
      }
      if (e.getValue() < olderThanMillis) {
        out.add(e.getKey());
      }
    }
  }

  /** Forgets a tombstone candidate that is no longer one. */
  public void forgetTombstone(byte[] storageKey) {
    Slot s = slots.get(shape.partitionOf(VersionedStore.token(storageKey)));
    if (s != null) {
      s.forgetTombstone(storageKey);
    }
  }

  /** Tombstone candidates remembered, over all partitions. */
  public long tombstoneCandidates() {
    long n = 0;
    for (Slot s : slots.values()) {
      n += s.tombstoneCount.get();
    }
    return n;
  }
}
