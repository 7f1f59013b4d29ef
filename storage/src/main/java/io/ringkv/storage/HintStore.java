package io.ringkv.storage;

import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * Versions a fallback holds for other nodes (hinted handoff), in their own space, apart from the
 * node's own data: never served as its own, never counted by its anti-entropy, and durable
 * across restarts like the data.
 *
 * <p>One entry per (intended node, key): hinted writes to the same key merge by vector clock, so
 * a hint is compact and redelivering it is harmless. Entry key: {@code len(node) || node ||
 * storageKey(key)}, so one node's hints are one contiguous range. Entry value: the wall time the
 * hint was first stored (8 bytes), then the encoded object.
 *
 * <p>The store is bounded in bytes; past the bound it refuses new hints ({@link Full}), so the
 * coordinator looks for another replica instead of a hint being dropped silently.
 */
public final class HintStore {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HintStore.class);

  /** A hint as stored: what to deliver, to whom, and the exact bytes (to delete it only if unchanged). */
  public record Hint(String node, byte[] key, VersionedObject object, long storedAtMillis,
      byte[] raw) {}

  /** Per intended node: how many keys and bytes are held. */
  public record Held(long keys, long bytes) {}

  /** Thrown when a new hint would pass the configured bound. Nothing was stored. */
  public static final class Full extends RuntimeException {
    Full(String message) {
      super(message, null, false, false);
    }
  }

  private final StorageEngine engine;
  private final StorageEngine.Durability durability;
  private final long maxBytes;
  private final KeyLocks locks = new KeyLocks();
  private final TreeMap<String, long[]> held = new TreeMap<>(); // node -> {keys, bytes}
  private long totalBytes;
  private final java.util.concurrent.atomic.AtomicLong refused =
      new java.util.concurrent.atomic.AtomicLong();

  public HintStore(StorageEngine engine, StorageEngine.Durability durability, long maxBytes) {
    this.engine = engine;
    this.durability = durability;
    this.maxBytes = maxBytes;
    try (Cursor c = engine.scan(StorageEngine.Space.HINTS, null, null)) {
      while (c.hasNext()) {
        Cursor.Entry e = c.next();
        account(nodeOf(e.key()), 1, e.key().length + e.value().length);
      }
    }
  }

  /** The hint held for {@code node} and {@code key}, or {@link VersionedObject#EMPTY}. */
  public VersionedObject get(String node, byte[] key) {
    byte[] v = engine.get(StorageEngine.Space.HINTS, entryKey(node, key));
    return v == null ? VersionedObject.EMPTY : decode(v).object();
  }

  /** Merges {@code object} into the hint for ({@code node}, {@code key}). */
  public VersionedObject merge(String node, byte[] key, VersionedObject object, long nowMillis) {
    return update(node, key, held -> held.merge(object), nowMillis);
  }

  /**
   * Atomically applies {@code change} to the hint for ({@code node}, {@code key}) and stores the
   * result (a fallback coordinating a write does its read-modify-write here).
   *
   * @throws Full if the store is at its bound and this would add to it
   */
  public VersionedObject update(
      String node, byte[] key, UnaryOperator<VersionedObject> change, long nowMillis) {
    byte[] ek = entryKey(node, key);
    ReentrantLock lock = locks.lockFor(ek, ek.length - key.length - 8);
    lock.lock();
    try {
      byte[] old = engine.get(StorageEngine.Space.HINTS, ek);
      Hint current = old == null ? null : decode(old);
      VersionedObject before = current == null ? VersionedObject.EMPTY : current.object();
      VersionedObject after = change.apply(before);
      if (after.equals(before) && current != null) {
        return after;
      }
      long storedAt = current == null ? nowMillis : current.storedAtMillis();
      byte[] value = encode(storedAt, after);
      long delta = ek.length + value.length - (old == null ? 0 : ek.length + old.length);
      synchronized (held) {
        if (delta > 0 && totalBytes + delta > maxBytes) {
          long n = refused.incrementAndGet();
          if (n == 1 || n % 1000 == 0) {
            log.warn("hint store full ({} of {} bytes, handoff.max-hint-mib): refused {} hinted"
                + " write(s) so far; anti-entropy will repair those keys", totalBytes, maxBytes, n);
          }
          throw new Full("hint store is full (" + totalBytes + " of " + maxBytes
              + " bytes, handoff.max-hint-mib)");
        }
      }
      engine.write(new WriteBatch().put(StorageEngine.Space.HINTS, ek, value), durability);
      account(node, old == null ? 1 : 0, delta);
      return after;
    } finally {
      lock.unlock();
    }
  }

  /** Up to {@code max} hints for {@code node}, in key order, after {@code afterKey} (null: from the start). */
  public List<Hint> scan(String node, byte[] afterEntryKey, int max) {
    byte[] prefix = prefix(node);
    byte[] from = afterEntryKey == null ? prefix : successor(afterEntryKey);
    List<Hint> out = new ArrayList<>();
    try (Cursor c = engine.scan(StorageEngine.Space.HINTS, from, prefixEnd(prefix))) {
      while (c.hasNext() && out.size() < max) {
        Cursor.Entry e = c.next();
        Hint h = decode(e.value());
        out.add(new Hint(node, keyOf(e.key(), prefix.length), h.object(), h.storedAtMillis(),
            e.value()));
      }
    }
    return out;
  }

  /**
   * One raw entry of the {@code HINTS} space as a hint, for tools that scan the engine directly
   * (the simulator's checkers): the layout stays private to this class.
   */
  public static Hint decodeEntry(byte[] entryKey, byte[] value) {
    Hint h = decode(value);
    return new Hint(nodeOf(entryKey), keyOf(entryKey, 1 + (entryKey[0] & 0xFF)), h.object(),
        h.storedAtMillis(), value);
  }

  /** The entry key of a hint, for resuming a {@link #scan}. */
  public static byte[] entryKey(Hint h) {
    return entryKey(h.node(), h.key());
  }

  /**
   * Deletes the hint if it is still exactly what was delivered; a hint that took a new write
   * meanwhile stays, to be delivered again. Returns whether it was deleted.
   */
  public boolean deleteIfUnchanged(Hint hint) {
    byte[] ek = entryKey(hint.node(), hint.key());
    ReentrantLock lock = locks.lockFor(ek, ek.length - hint.key().length - 8);
    lock.lock();
    try {
      byte[] now = engine.get(StorageEngine.Space.HINTS, ek);
      if (now == null || !Arrays.equals(now, hint.raw())) {
        return false;
      }
      engine.write(new WriteBatch().delete(StorageEngine.Space.HINTS, ek), durability);
      account(hint.node(), -1, -(ek.length + now.length));
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Hinted writes refused since start because the store was full. */
  public long refused() {
    return refused.get();
  }

  /** The nodes hints are held for, with counts; a consistent snapshot. */
  public Map<String, Held> held() {
    synchronized (held) {
      Map<String, Held> out = new TreeMap<>();
      held.forEach((node, kb) -> out.put(node, new Held(kb[0], kb[1])));
      return out;
    }
  }

  /** The wall time of the oldest hint held for {@code node}, or -1. Scans that node's hints. */
  public long oldestMillis(String node) {
    byte[] prefix = prefix(node);
    long oldest = -1;
    try (Cursor c = engine.scan(StorageEngine.Space.HINTS, prefix, prefixEnd(prefix))) {
      while (c.hasNext()) {
        long t = ByteBuffer.wrap(c.next().value(), 0, 8).getLong();
        oldest = oldest < 0 ? t : Math.min(oldest, t);
      }
    }
    return oldest;
  }

  private void account(String node, long keys, long bytes) {
    synchronized (held) {
      long[] kb = held.computeIfAbsent(node, n -> new long[2]);
      kb[0] += keys;
      kb[1] += bytes;
      totalBytes += bytes;
      if (kb[0] == 0) {
        held.remove(node);
      }
    }
  }

  private static byte[] encode(long storedAt, VersionedObject o) {
    byte[] obj = VersionCodec.encodeObject(o);
    return ByteBuffer.allocate(8 + obj.length).putLong(storedAt).put(obj).array();
  }

  private static Hint decode(byte[] value) {
    long storedAt = ByteBuffer.wrap(value, 0, 8).getLong();
    VersionedObject o = VersionCodec.decodeObject(Arrays.copyOfRange(value, 8, value.length));
    return new Hint(null, null, o, storedAt, value);
  }

  private static byte[] prefix(String node) {
    byte[] id = node.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[1 + id.length];
    p[0] = (byte) id.length;
    System.arraycopy(id, 0, p, 1, id.length);
    return p;
  }

  private static byte[] entryKey(String node, byte[] key) {
    byte[] p = prefix(node);
    byte[] sk = VersionedStore.storageKey(key);
    byte[] out = Arrays.copyOf(p, p.length + sk.length);
    System.arraycopy(sk, 0, out, p.length, sk.length);
    return out;
  }

  private static String nodeOf(byte[] entryKey) {
    return new String(entryKey, 1, entryKey[0] & 0xFF, StandardCharsets.UTF_8);
  }

  private static byte[] keyOf(byte[] entryKey, int prefixLength) {
    return VersionedStore.userKey(Arrays.copyOfRange(entryKey, prefixLength, entryKey.length));
  }

  private static byte[] prefixEnd(byte[] prefix) {
    // The node id never ends in 0xFF (it is ASCII), so incrementing the last byte is safe.
    byte[] end = prefix.clone();
    end[end.length - 1]++;
    return end;
  }

  private static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }
}
