package io.ringkv.storage;

import io.ringkv.ring.KeyHash;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * A replica's versioned objects on top of a {@link StorageEngine}: decode, change, encode, with
 * the read-modify-write of one key atomic (striped locks), so concurrent writers to a key never
 * lose a sibling.
 *
 * <p>Objects are stored under {@code token(key) || key}, the 8-byte big-endian ring position
 * first, so that a partition (a contiguous token range) is a contiguous key range: anti-entropy
 * and data transfer scan partitions in order without an index.
 */
public final class VersionedStore {

  private final StorageEngine engine;
  private final StorageEngine.Durability durability;
  private final KeyLocks locks = new KeyLocks();

  public VersionedStore(StorageEngine engine, StorageEngine.Durability durability) {
    this.engine = engine;
    this.durability = durability;
  }

  public StorageEngine engine() {
    return engine;
  }

  /** The stored object, or {@link VersionedObject#EMPTY}. */
  public VersionedObject get(byte[] key) {
    return decode(engine.get(StorageEngine.Space.DATA, storageKey(key)));
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
      VersionedObject current = decode(engine.get(StorageEngine.Space.DATA, sk));
      VersionedObject next = change.apply(current);
      if (next != current && !next.equals(current)) {
        engine.write(
            new WriteBatch().put(StorageEngine.Space.DATA, sk, VersionCodec.encodeObject(next)),
            durability);
      }
      return next;
    } finally {
      lock.unlock();
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

  private static VersionedObject decode(byte[] bytes) {
    return bytes == null ? VersionedObject.EMPTY : VersionCodec.decodeObject(bytes);
  }
}
