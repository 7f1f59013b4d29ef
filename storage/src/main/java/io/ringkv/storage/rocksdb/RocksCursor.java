package io.ringkv.storage.rocksdb;

import io.ringkv.storage.Cursor;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/**
 * A RocksDB iterator pinned to a snapshot taken when the scan began.
 *
 * <p>Owns four native handles. The iterator reads the upper-bound slice through the read options
 * for as long as it lives, so {@link #release()} closes the iterator first, then the options, then
 * the slice, and releases the snapshot last. Every call holds the engine's read lock, so the engine
 * cannot free the database underneath it.
 */
final class RocksCursor implements Cursor {

  private final RocksDbStorageEngine engine;
  private final Snapshot snapshot;
  private final Slice upperBound; // null when the range is open above
  private final ReadOptions readOptions;
  private final RocksIterator iterator;
  private final AtomicBoolean released = new AtomicBoolean();

  /** Caller holds the engine's read lock and has checked that the engine is open. */
  RocksCursor(
      RocksDbStorageEngine engine,
      ColumnFamilyHandle family,
      byte[] fromInclusive,
      byte[] toExclusive) {
    this.engine = engine;
    this.snapshot = engine.db().getSnapshot();
    Slice bound = null;
    ReadOptions options = null;
    try {
      bound = toExclusive == null ? null : new Slice(toExclusive);
      options = new ReadOptions().setSnapshot(snapshot);
      if (bound != null) {
        options.setIterateUpperBound(bound);
      }
      this.iterator = engine.db().newIterator(family, options);
    } catch (RuntimeException | Error e) {
      if (options != null) {
        options.close();
      }
      if (bound != null) {
        bound.close();
      }
      engine.db().releaseSnapshot(snapshot);
      throw e;
    }
    this.upperBound = bound;
    this.readOptions = options;
    if (fromInclusive == null) {
      iterator.seekToFirst();
    } else {
      iterator.seek(fromInclusive);
    }
  }

  @Override
  public boolean hasNext() {
    engine.lock().readLock().lock();
    try {
      ensureUsable();
      return valid();
    } finally {
      engine.lock().readLock().unlock();
    }
  }

  @Override
  public Entry next() {
    engine.lock().readLock().lock();
    try {
      ensureUsable();
      if (!valid()) {
        throw new NoSuchElementException();
      }
      Entry entry = new Entry(iterator.key(), iterator.value()); // fresh arrays from JNI
      iterator.next();
      return entry;
    } finally {
      engine.lock().readLock().unlock();
    }
  }

  /** Idempotent. */
  @Override
  public void close() {
    engine.lock().readLock().lock();
    try {
      release();
      engine.forget(this);
    } finally {
      engine.lock().readLock().unlock();
    }
  }

  /** Frees the native handles once. Caller holds the engine's lock, read or write. */
  void release() {
    if (!released.compareAndSet(false, true)) {
      return;
    }
    iterator.close();
    readOptions.close();
    if (upperBound != null) {
      upperBound.close();
    }
    engine.db().releaseSnapshot(snapshot);
  }

  /** An invalid iterator means the end or an I/O error; status() tells them apart. */
  private boolean valid() {
    if (iterator.isValid()) {
      return true;
    }
    try {
      iterator.status();
    } catch (RocksDBException e) {
      throw RocksDbStorageEngine.failure("scan", engine.dir(), e);
    }
    return false;
  }

  private void ensureUsable() {
    engine.ensureOpen();
    if (released.get()) {
      throw new IllegalStateException("cursor is closed");
    }
  }
}
