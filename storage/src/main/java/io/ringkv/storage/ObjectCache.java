package io.ringkv.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.ByteBuffer;

/**
 * The stored encodings of recently read or written keys' objects, bounded by bytes.
 *
 * <p>A get that misses the cache costs a RocksDB lookup (a memtable skip-list search, then block
 * cache and filter probes); in the benchmark's profile those were a sixth of a node's CPU, mostly
 * for the few keys a skewed workload reads again and again. Caffeine's admission policy
 * (W-TinyLFU) keeps those and lets a scan's keys pass through.
 *
 * <p>Only the encoding is kept, not the object decoded from it: another replica's read ships the
 * encoding as it is, a decode is a copy of well under a microsecond, and every entry a write
 * replaces has usually lived through a young collection or two, so G1 copies it at each. Kept
 * twice (decoded too), the entries made the benchmark's young pauses spend 8 to 10 ms copying;
 * kept once, 2 to 3 ms (docs/BENCHMARKS.md, session 6).
 *
 * <p>Not thread-safe on its own terms: {@link VersionedStore} changes an entry only together with
 * the stored object, under the locks that order changes of that key, so the cache never holds an
 * object older than the store's.
 */
final class ObjectCache {

  /** What the cache holds for a key that has no stored object. */
  static final byte[] ABSENT = new byte[0];

  /** Per-entry bookkeeping beyond the bytes (map node, key buffer). */
  private static final int OVERHEAD = 80;

  private final Cache<ByteBuffer, byte[]> cache;

  /** @param maxBytes 0: no cache, every call misses */
  ObjectCache(long maxBytes) {
    this.cache = maxBytes <= 0 ? null : Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((ByteBuffer k, byte[] encoded) -> k.capacity() + OVERHEAD + encoded.length)
        .executor(Runnable::run) // eviction bookkeeping on the caller, no pool thread
        .build();
  }

  /** The cached encoding of a storage key's object, {@link #ABSENT} if it has none, or null. */
  byte[] get(byte[] storageKey) {
    return cache == null ? null : cache.getIfPresent(ByteBuffer.wrap(storageKey));
  }

  /** @param encoded the stored encoding, null: the key has no object */
  void put(byte[] storageKey, byte[] encoded) {
    if (cache != null) {
      cache.put(ByteBuffer.wrap(storageKey), encoded == null ? ABSENT : encoded);
    }
  }

  void invalidate(byte[] storageKey) {
    if (cache != null) {
      cache.invalidate(ByteBuffer.wrap(storageKey));
    }
  }
}
