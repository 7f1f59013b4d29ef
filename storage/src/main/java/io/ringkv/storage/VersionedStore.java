package io.ringkv.storage;

import io.ringkv.ring.KeyHash;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A replica's versioned objects on top of a {@link StorageEngine}: decode, change, encode, with
 * the read-modify-write of one key atomic (striped locks), so concurrent writers to a key never
 * lose a sibling.
 *
 * <p>Objects are stored under {@code token(key) || key}, the 8-byte big-endian ring position
 * first, so that a partition (a contiguous token range) is a contiguous key range: anti-entropy
 * and data transfer scan partitions in order without an index.
 *
 * <p>A {@link ChangeListener} (anti-entropy's hash trees) hears of every change to the data, under
 * the key's lock, together with the write: a {@link #scanAtomically} snapshot is taken between
 * changes, never between a change and its notification, so a listener can build state from a
 * snapshot and the changes after it without missing or double-counting one.
 */
public final class VersionedStore {

  /** Hears of every change to a stored object, in order per key. */
  @FunctionalInterface
  public interface ChangeListener {
    /**
     * Called after the write, with the key's lock held: must be quick and must not call back into
     * the store.
     *
     * @param storageKey {@code token(key) || key}
     * @param before the stored encoding before the change, or null if there was none
     * @param after the stored encoding after it, or null if the key was removed
     * @param object the object after the change ({@link VersionedObject#EMPTY} if removed)
     */
    void changed(byte[] storageKey, byte[] before, byte[] after, VersionedObject object);
  }

  private static final ChangeListener NOBODY = (k, b, a, o) -> { };

  private final StorageEngine engine;
  private final StorageEngine.Durability durability;
  private final KeyLocks locks = new KeyLocks();
  /**
   * Shared by every change (write and notification), exclusive while a consistent scan starts:
   * a scan's snapshot then falls between changes.
   */
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
  private volatile ChangeListener listener = NOBODY;
  /**
   * Changed only together with the stored object: under the key's lock and the gate's read lock
   * (a write, or a miss filling it), or under the gate's write lock (a bulk delete).
   */
  private final ObjectCache cache;

  /** A store without an object cache. */
  public VersionedStore(StorageEngine engine, StorageEngine.Durability durability) {
    this(engine, durability, 0);
  }

  /**
   * @param cacheBytes bound of the cache of recently used objects' encodings; 0: none
   */
  public VersionedStore(StorageEngine engine, StorageEngine.Durability durability,
      long cacheBytes) {
    this.engine = engine;
    this.durability = durability;
    this.cache = new ObjectCache(cacheBytes);
  }

  public StorageEngine engine() {
    return engine;
  }

  /** Sets the one listener of changes (null: none). */
  public void listen(ChangeListener l) {
    this.listener = l == null ? NOBODY : l;
  }

  /**
   * A scan of the data between two storage keys (null: open) whose snapshot falls between changes;
   * {@code atSnapshot} runs at that instant, with no change under way: every change is either in
   * the snapshot or notified to listeners after {@code atSnapshot} returned.
   */
  public Cursor scanAtomically(byte[] fromInclusive, byte[] toExclusive, Runnable atSnapshot) {
    gate.writeLock().lock();
    try {
      Cursor c = engine.scan(StorageEngine.Space.DATA, fromInclusive, toExclusive);
      try {
        atSnapshot.run();
      } catch (RuntimeException | Error e) {
        c.close();
        throw e;
      }
      return c;
    } finally {
      gate.writeLock().unlock();
    }
  }

  /** The stored encoding of {@code key}'s object, or null. Callers must not change the array. */
  public byte[] getRaw(byte[] key) {
    return cached(storageKey(key));
  }

  /** The stored object, or {@link VersionedObject#EMPTY}. */
  public VersionedObject get(byte[] key) {
    return decode(cached(storageKey(key)));
  }

  /**
   * The stored object if the cache holds it, else null: no engine work, so callers on a network
   * thread may ask before they hand a read to a storage thread.
   */
  public VersionedObject peekCached(byte[] key) {
    byte[] e = cache.get(storageKey(key));
    return e == null ? null : decode(stored(e));
  }

  /** As {@link #peekCached}, the stored encoding: null if not cached, an empty array if absent. */
  public byte[] peekCachedRaw(byte[] key) {
    return cache.get(storageKey(key));
  }

  /**
   * The key's stored encoding (null: none), from the cache or else read and cached. A miss reads
   * under the key's lock and the gate's read lock, as a change writes: a change cannot slip in
   * between the read and the fill and leave the cache holding what it replaced.
   */
  private byte[] cached(byte[] sk) {
    byte[] e = cache.get(sk);
    if (e != null) {
      return stored(e);
    }
    ReentrantLock lock = locks.lockFor(sk, 0);
    lock.lock();
    gate.readLock().lock();
    try {
      e = cache.get(sk);
      if (e == null) {
        e = engine.get(StorageEngine.Space.DATA, sk);
        cache.put(sk, e);
        return e;
      }
      return stored(e);
    } finally {
      gate.readLock().unlock();
      lock.unlock();
    }
  }

  /**
   * Atomically replaces the object with {@code change} applied to it and returns the result. If
   * {@code change} throws, nothing is written. If it returns its argument, nothing is written.
   */
  public VersionedObject update(byte[] key, UnaryOperator<VersionedObject> change) {
    byte[] sk = storageKey(key);
    ReentrantLock lock = locks.lockFor(sk, 0);
    lock.lock();
    try {
      byte[] before = cached(sk);
      VersionedObject current = decode(before);
      VersionedObject next = change.apply(current);
      if (next != current && !next.equals(current)) {
        byte[] after = VersionCodec.encodeObject(next);
        change(sk, before, after, next,
            new WriteBatch().put(StorageEngine.Space.DATA, sk, after));
      }
      return next;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes the key's object if it is still exactly {@code expected} (tombstone purge), atomically
   * with the key's other changes. Returns whether it was removed.
   */
  public boolean removeIfUnchanged(byte[] key, VersionedObject expected) {
    byte[] sk = storageKey(key);
    ReentrantLock lock = locks.lockFor(sk, 0);
    lock.lock();
    try {
      byte[] before = cached(sk);
      if (before == null || !decode(before).equals(expected)) {
        return false;
      }
      change(sk, before, null, VersionedObject.EMPTY,
          new WriteBatch().delete(StorageEngine.Space.DATA, sk));
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Deletes the objects under {@code storageKeys} but those {@code keep} accepts (it is given the
   * user key), as one step with respect to every change: a writer that makes {@code keep} accept
   * its key before it writes (data transfer's pins) finds either its key kept or its write made
   * after the deletion, never deleted. Returns how many keys it deleted. Listeners are not told:
   * this drops data the node no longer serves (a partition a ring change moved away, whose hash
   * tree the ring change drops).
   */
  public int removeAllBut(List<byte[]> storageKeys, Predicate<byte[]> keep) {
    WriteBatch batch = new WriteBatch();
    gate.writeLock().lock();
    try {
      List<byte[]> deleted = new ArrayList<>();
      for (byte[] sk : storageKeys) {
        if (!keep.test(userKey(sk))) {
          batch.delete(StorageEngine.Space.DATA, sk);
          deleted.add(sk);
        }
      }
      if (!batch.isEmpty()) {
        // Buffered: a deletion lost in a power cut leaves data the node no longer serves.
        engine.write(batch, StorageEngine.Durability.BUFFERED);
        for (byte[] sk : deleted) {
          cache.invalidate(sk);
        }
      }
      return batch.size();
    } finally {
      gate.writeLock().unlock();
    }
  }

  /** Writes and notifies as one step with respect to {@link #scanAtomically}. */
  private void change(byte[] sk, byte[] before, byte[] after, VersionedObject object,
      WriteBatch batch) {
    gate.readLock().lock();
    try {
      try {
        engine.write(batch, durability);
      } catch (RuntimeException | Error e) {
        // Whether the write took is unknown: the next read goes to the engine.
        cache.invalidate(sk);
        throw e;
      }
      cache.put(sk, after);
      listener.changed(sk, before, after, object);
    } finally {
      gate.readLock().unlock();
    }
  }

  /** Merges a version received from another replica into the stored one (sync). */
  public VersionedObject merge(byte[] key, VersionedObject incoming) {
    return update(key, current -> current.merge(incoming));
  }

  /** The storage key of a user key: its ring token, then the key itself. */
  public static byte[] storageKey(byte[] key) {
    long t = KeyHash.token(key);
    byte[] out = new byte[8 + key.length];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (t >>> (56 - 8 * i));
    }
    System.arraycopy(key, 0, out, 8, key.length);
    return out;
  }

  /** The user key inside a storage key. */
  public static byte[] userKey(byte[] storageKey) {
    return Arrays.copyOfRange(storageKey, 8, storageKey.length);
  }

  /** The ring token inside a storage key. */
  public static long token(byte[] storageKey) {
    long t = 0;
    for (int i = 0; i < 8; i++) {
      t = (t << 8) | (storageKey[i] & 0xFF);
    }
    return t;
  }

  /** A cache entry as the stored encoding: null for a key with no object. */
  private static byte[] stored(byte[] cacheEntry) {
    return cacheEntry == ObjectCache.ABSENT ? null : cacheEntry;
  }

  private static VersionedObject decode(byte[] bytes) {
    return bytes == null ? VersionedObject.EMPTY : VersionCodec.decodeObject(bytes);
  }
}
