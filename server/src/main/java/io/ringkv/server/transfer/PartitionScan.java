package io.ringkv.server.transfer;

import io.ringkv.ring.Ring;
import io.ringkv.storage.Cursor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.VersionCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * A partition's stored objects as a key range: objects are stored under their 8-byte ring token
 * first ({@link VersionedStore#storageKey}), so a partition is one contiguous range of the data
 * space. Blocking storage calls: run on the storage executor.
 */
final class PartitionScan {

  private static final int DROP_BATCH = 1024;

  private PartitionScan() {}

  /** Up to about {@code maxBytes} of the partition's objects after {@code afterKey}, in order. */
  static Transfers.Batch batch(VersionedStore store, Ring ring, int partition, byte[] afterKey,
      int maxBytes) {
    byte[] from = afterKey.length == 0
        ? tokenKey(ring.partitionStart(partition))
        : successor(VersionedStore.storageKey(afterKey));
    List<Transfers.Entry> out = new ArrayList<>();
    long bytes = 0;
    try (Cursor c = store.engine().scan(StorageEngine.Space.DATA, from, end(ring, partition))) {
      while (c.hasNext() && (bytes < maxBytes || out.isEmpty())) {
        Cursor.Entry e = c.next();
        out.add(new Transfers.Entry(VersionedStore.userKey(e.key()),
            VersionCodec.decodeObject(e.value())));
        bytes += e.key().length + e.value().length;
      }
      return new Transfers.Batch(out, !c.hasNext());
    }
  }

  /** What a drop did: keys deleted, and keys kept because they were pinned. */
  record Dropped(long deleted, long kept) {}

  /**
   * Deletes every object of the partition but those of the keys {@code pinned} accepts (user
   * keys), in batches, each atomic with respect to writes ({@link VersionedStore#removeAllBut}).
   */
  static Dropped drop(VersionedStore store, Ring ring, int partition, Predicate<byte[]> pinned) {
    long deleted = 0;
    long kept = 0;
    byte[] from = tokenKey(ring.partitionStart(partition));
    byte[] to = end(ring, partition);
    while (true) {
      List<byte[]> keys = new ArrayList<>();
      try (Cursor c = store.engine().scan(StorageEngine.Space.DATA, from, to)) {
        while (c.hasNext() && keys.size() < DROP_BATCH) {
          keys.add(c.next().key());
        }
      }
      if (keys.isEmpty()) {
        return new Dropped(deleted, kept);
      }
      int n = store.removeAllBut(keys, pinned);
      deleted += n;
      kept += keys.size() - n;
      from = successor(keys.get(keys.size() - 1));
    }
  }

  private static byte[] end(Ring ring, int partition) {
    long end = ring.partitionEnd(partition);
    return end == 0 ? null : tokenKey(end);
  }

  private static byte[] tokenKey(long token) {
    byte[] out = new byte[8];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (token >>> (56 - 8 * i));
    }
    return out;
  }

  /** The smallest key after {@code key}. */
  private static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }
}
