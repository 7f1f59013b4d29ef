package io.ringkv.server.transfer;

import io.ringkv.ring.Ring;
import io.ringkv.storage.Cursor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.storage.WriteBatch;
import io.ringkv.version.VersionCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

  /** Deletes every object of the partition; returns how many. */
  static long drop(VersionedStore store, Ring ring, int partition) {
    long dropped = 0;
    byte[] from = tokenKey(ring.partitionStart(partition));
    byte[] to = end(ring, partition);
    while (true) {
      WriteBatch batch = new WriteBatch();
      byte[] last = null;
      try (Cursor c = store.engine().scan(StorageEngine.Space.DATA, from, to)) {
        while (c.hasNext() && batch.size() < DROP_BATCH) {
          last = c.next().key();
          batch.delete(StorageEngine.Space.DATA, last);
        }
      }
      if (batch.isEmpty()) {
        return dropped;
      }
      store.engine().write(batch, StorageEngine.Durability.BUFFERED);
      dropped += batch.size();
      from = successor(last);
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
