package io.ringkv.sim;

import io.ringkv.storage.Cursor;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.Dot;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.util.Arrays;

/**
 * The simulator's privileged view of a node's disk, read directly from its storage engine (whether
 * the node is up or not): the object a node holds for a key, and the hints it holds for a key on
 * behalf of other nodes. Knows the layouts of {@code VersionedStore} (storage key = token, key)
 * and {@code HintStore} (entry key = length of node id, node id, storage key; value = 8-byte
 * time, object).
 */
final class Disks {

  private Disks() {}

  /** The object in the node's data for {@code key}, or EMPTY. */
  static VersionedObject data(StorageEngine disk, byte[] key) {
    byte[] v = disk.get(StorageEngine.Space.DATA, VersionedStore.storageKey(key));
    return v == null ? VersionedObject.EMPTY : VersionCodec.decodeObject(v);
  }

  /** Whether the node's data or any hint it holds for {@code key} has seen {@code dot}. */
  static boolean covers(StorageEngine disk, byte[] key, Dot dot) {
    if (data(disk, key).covers(dot)) {
      return true;
    }
    try (Cursor c = disk.scan(StorageEngine.Space.HINTS, null, null)) {
      while (c.hasNext()) {
        Cursor.Entry e = c.next();
        HintStore.Hint h = HintStore.decodeEntry(e.key(), e.value());
        if (Arrays.equals(h.key(), key) && h.object().covers(dot)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The causal contexts of everything the node holds for {@code key}: its data's, then each
   * hint's. A write is on the node (or superseded there) when one of them contains its dot.
   */
  static java.util.List<io.ringkv.version.VersionVector> contexts(StorageEngine disk,
      byte[] key) {
    java.util.List<io.ringkv.version.VersionVector> out = new java.util.ArrayList<>();
    VersionedObject d = data(disk, key);
    if (!d.context().isEmpty()) {
      out.add(d.context());
    }
    try (Cursor c = disk.scan(StorageEngine.Space.HINTS, null, null)) {
      while (c.hasNext()) {
        Cursor.Entry e = c.next();
        HintStore.Hint h = HintStore.decodeEntry(e.key(), e.value());
        if (Arrays.equals(h.key(), key)) {
          out.add(h.object().context());
        }
      }
    }
    return out;
  }

  /** Whether one of {@code contexts} contains {@code dot}. */
  static boolean covers(java.util.List<io.ringkv.version.VersionVector> contexts, Dot dot) {
    for (io.ringkv.version.VersionVector v : contexts) {
      if (v.contains(dot)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the node holds any hint at all. */
  static boolean holdsHints(StorageEngine disk) {
    try (Cursor c = disk.scan(StorageEngine.Space.HINTS, null, null)) {
      return c.hasNext();
    }
  }
}
