package io.ringkv.storage;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ringkv.version.VersionedObject;
import java.nio.ByteBuffer;

/**
 * The objects of recently read or written keys, decoded and as stored, bounded by bytes.
 *
 * <p>A get that misses the cache costs a RocksDB lookup (a memtable skip-list search, then block
 * cache and filter probes) and a decode; in the benchmark's profile those were a sixth of a node's
 * CPU, mostly for the few keys a skewed workload reads again and again. Caffeine's admission policy
 * (W-TinyLFU) keeps those and lets a scan's keys pass through.
 *
 * <p>Not thread-safe on its own terms: {@link VersionedStore} changes an entry only together with
 * the stored object, under the locks that order changes of that key, so the cache never holds an
 * object older than the store's.
 */
final class ObjectCache {

  /** What a key holds: its stored encoding (null: nothing) and the object decoded from it. */
  record Entry(byte[] encoded, VersionedObject object) {}

  /** Per-entry bookkeeping beyond the bytes (map node, key buffer, the two records). */
  private static final int OVERHEAD = 96;

  private final Cache<ByteBuffer, Entry> cache;

  /** @param maxBytes 0: no cache, every call misses */
  ObjectCache(long maxBytes) {
    this.cache = maxBytes <= 0 ? null : Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        // A decoded object holds its values again, beside the encoding.
        .weigher((ByteBuffer k, Entry e) -> (int) Math.min(Integer.MAX_VALUE,
            k.capacity() + OVERHEAD + 2L * (e.encoded == null ? 0 : e.encoded.length)))
        .executor(Runnable::run) // eviction bookkeeping on the caller, no pool thread
        .build();
  }

  /** The cached entry of a storage key, or null. */
  Entry get(byte[] storageKey) {
    return cache == null ? null : cache.getIfPresent(ByteBuffer.wrap(storageKey));
  }

  void put(byte[] storageKey, byte[] encoded, VersionedObject object) {
    if (cache != null) {
      cache.put(ByteBuffer.wrap(storageKey), new Entry(encoded, object));
    }
  }

  void invalidate(byte[] storageKey) {
    if (cache != null) {
      cache.invalidate(ByteBuffer.wrap(storageKey));
    }
  }
}
