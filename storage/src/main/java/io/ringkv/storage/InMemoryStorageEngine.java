package io.ringkv.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link StorageEngine} held in memory, for unit tests and the deterministic simulator.
 *
 * <p>Iteration order depends only on the keys (sorted maps, no hashing), so a simulation replays
 * identically from its seed. One read-write lock makes batches atomic: a batch is applied under
 * the write lock, and every read, including the copy a scan takes, runs under the read lock, so no
 * reader sees half of a batch. Stored arrays are private copies and are never mutated, which lets
 * a scan snapshot share them and copy only what it hands out.
 */
public final class InMemoryStorageEngine implements StorageEngine {

  private final Map<Space, NavigableMap<byte[], byte[]>> spaces = new EnumMap<>(Space.class);
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile boolean closed;

  public InMemoryStorageEngine() {
    for (Space space : Space.values()) {
      spaces.put(space, new ConcurrentSkipListMap<>(Arrays::compareUnsigned));
    }
  }

  @Override
  public byte[] get(Space space, byte[] key) {
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(key, "key");
    lock.readLock().lock();
    try {
      ensureOpen();
      byte[] value = spaces.get(space).get(key);
      return value == null ? null : value.clone();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void write(WriteBatch batch, Durability durability) {
    Objects.requireNonNull(batch, "batch");
    Objects.requireNonNull(durability, "durability");
    // Copy before locking: the caller may reuse its arrays as soon as write returns, and nothing
    // that can fail should happen once the first mutation is applied.
    List<WriteBatch.Mutation> copies = new ArrayList<>(batch.size());
    for (WriteBatch.Mutation m : batch.mutations()) {
      byte[] value = m.isDelete() ? null : m.value().clone();
      copies.add(new WriteBatch.Mutation(m.space(), m.key().clone(), value));
    }
    lock.writeLock().lock();
    try {
      ensureOpen();
      for (WriteBatch.Mutation m : copies) {
        if (m.isDelete()) {
          spaces.get(m.space()).remove(m.key());
        } else {
          spaces.get(m.space()).put(m.key(), m.value());
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
    Objects.requireNonNull(space, "space");
    lock.readLock().lock();
    try {
      ensureOpen();
      return new SnapshotCursor(range(spaces.get(space), fromInclusive, toExclusive));
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Idempotent. Drops the data: an in-memory engine cannot be reopened. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closed = true;
      spaces.values().forEach(Map::clear);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static List<Map.Entry<byte[], byte[]>> range(
      NavigableMap<byte[], byte[]> map, byte[] from, byte[] to) {
    if (from != null && to != null && Arrays.compareUnsigned(from, to) >= 0) {
      return List.of(); // subMap rejects from > to; an empty or inverted range is simply empty
    }
    NavigableMap<byte[], byte[]> view = map;
    if (from != null) {
      view = view.tailMap(from, true);
    }
    if (to != null) {
      view = view.headMap(to, false);
    }
    return new ArrayList<>(view.entrySet());
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("in-memory storage engine is closed");
    }
  }

  /** Walks a copy taken at scan time; fails once it or the engine is closed, like RocksDB's. */
  private final class SnapshotCursor implements Cursor {
    private final List<Map.Entry<byte[], byte[]>> entries;
    private int next;
    private boolean cursorClosed;

    SnapshotCursor(List<Map.Entry<byte[], byte[]>> entries) {
      this.entries = entries;
    }

    @Override
    public boolean hasNext() {
      ensureUsable();
      return next < entries.size();
    }

    @Override
    public Entry next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Map.Entry<byte[], byte[]> e = entries.get(next++);
      return new Entry(e.getKey().clone(), e.getValue().clone());
    }

    @Override
    public void close() {
      cursorClosed = true;
    }

    private void ensureUsable() {
      if (cursorClosed) {
        throw new IllegalStateException("cursor is closed");
      }
      ensureOpen();
    }
  }
}
