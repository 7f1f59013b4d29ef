package io.ringkv.sim;

import io.ringkv.storage.ForwardingStorageEngine;
import io.ringkv.storage.InMemoryStorageEngine;
import io.ringkv.storage.WriteBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A node's disk as a power cut sees it: an in-memory engine (what the page cache holds, which a
 * process kill keeps) that also remembers which of its writes are not yet synced, and can lose
 * them.
 *
 * <p>The model is RocksDB's with one write-ahead log for every column family, written on each
 * batch and fsynced only now and then. A {@code SYNC} write fsyncs the log, which makes it and
 * every write before it durable. A memtable flush syncs the log too (RocksDB syncs the closed
 * logs before it installs the flushed table); flushes are drawn: after each write, one chance in
 * {@code flushEvery}. A power cut keeps a prefix of the writes since the last sync, drawn from
 * none to all of them (the kernel may have written back some of the log's pages, and recovery
 * replays the log up to its first missing record), and undoes the rest, newest first. So what
 * survives is always the state after some write at or after the last sync point, as in RocksDB's
 * point-in-time recovery; a write that the node acknowledged may be gone, but never one before a
 * write that survived.
 *
 * <p>The unsynced tail is tracked only once {@link #track} is called (runs whose fault plan has a
 * power loss): every other run writes straight through, drawing nothing.
 */
final class SimDisk extends ForwardingStorageEngine {

  /** One unsynced batch: what each mutation replaced, so it can be undone. */
  private record Undo(long nanos, List<Before> befores) {}

  /** The value {@code key} held before a mutation (null: absent). */
  private record Before(Space space, byte[] key, byte[] value) {}

  /** What a power cut did. */
  record Cut(int unsynced, int lost, long lastSyncNanos) {}

  private final java.util.function.LongSupplier nowNanos;
  private SplittableRandom flushes;
  private int flushEvery;
  private final List<Undo> tail = new ArrayList<>();
  private long lastSyncNanos;

  SimDisk(java.util.function.LongSupplier nowNanos) {
    super(new InMemoryStorageEngine());
    this.nowNanos = nowNanos;
  }

  /**
   * From now on, remembers unsynced writes, and flushes after one write in {@code every} (drawn;
   * never if MAX_VALUE).
   */
  void track(SplittableRandom rng, int every) {
    this.flushes = rng;
    this.flushEvery = every;
    this.lastSyncNanos = nowNanos.getAsLong();
  }

  @Override
  public void write(WriteBatch batch, Durability durability) {
    if (flushes == null) {
      delegate.write(batch, durability);
      return;
    }
    // What each mutation replaces, in batch order (a key written twice in one batch replaces its
    // own first value the second time).
    List<Before> befores = new ArrayList<>(batch.size());
    TreeMap<String, byte[]> inBatch = new TreeMap<>();
    for (WriteBatch.Mutation m : batch.mutations()) {
      String id = m.space() + "/" + Arrays.toString(m.key());
      byte[] before = inBatch.containsKey(id) ? inBatch.get(id) : delegate.get(m.space(), m.key());
      befores.add(new Before(m.space(), m.key().clone(), before));
      inBatch.put(id, m.isDelete() ? null : m.value());
    }
    delegate.write(batch, durability);
    if (durability == Durability.SYNC) {
      synced();
    } else {
      tail.add(new Undo(nowNanos.getAsLong(), befores));
      if (flushEvery != Integer.MAX_VALUE && flushes.nextInt(flushEvery) == 0) {
        synced(); // a memtable flush: the log up to here is fsynced
      }
    }
  }

  private void synced() {
    tail.clear();
    lastSyncNanos = nowNanos.getAsLong();
  }

  /**
   * The power goes: a prefix of the unsynced writes survives, drawn from {@code rng}, and the
   * rest is undone. Returns what was lost.
   */
  Cut powerCut(SplittableRandom rng) {
    int unsynced = tail.size();
    int keep = rng.nextInt(unsynced + 1);
    for (int i = unsynced - 1; i >= keep; i--) {
      List<Before> befores = tail.get(i).befores();
      WriteBatch undo = new WriteBatch();
      for (int j = befores.size() - 1; j >= 0; j--) {
        Before b = befores.get(j);
        if (b.value() == null) {
          undo.delete(b.space(), b.key());
        } else {
          undo.put(b.space(), b.key(), b.value());
        }
      }
      delegate.write(undo, Durability.SYNC);
    }
    Cut cut = new Cut(unsynced, unsynced - keep, lastSyncNanos);
    synced(); // what is left is on the platter
    return cut;
  }

}
