package io.ringkv.server.transfer;

import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where a handover stands, saved in the node's metadata after every batch, so that a receiver
 * restarted mid-transfer resumes after the last key it stored instead of starting over. Keyed by
 * the change (its state version and author), partition and source. Blocking storage calls.
 */
final class TransferProgress {

  /** A source whose whole partition has arrived. */
  static final byte[] DONE = new byte[0];

  private static final byte MARK_DONE = 1;
  private static final byte MARK_AFTER = 0;

  private final StorageEngine engine;

  TransferProgress(StorageEngine engine) {
    this.engine = engine;
  }

  /** @param change the change's state version and author (a pending ring's version repeats) */
  static String id(String change, int partition, String source) {
    return "transfer/" + change + "/" + partition + "/" + source;
  }

  /** The last key received ({@link #DONE} when complete), or null when not started. */
  byte[] load(String id) {
    byte[] raw = engine.get(StorageEngine.Space.META, key(id));
    if (raw == null || raw.length == 0) {
      return null;
    }
    return raw[0] == MARK_DONE ? DONE : Arrays.copyOfRange(raw, 1, raw.length);
  }

  /** Saves the last key received, or {@link #DONE}. */
  void save(String id, byte[] after) {
    byte[] raw;
    if (after == DONE) {
      raw = new byte[] {MARK_DONE};
    } else {
      raw = new byte[after.length + 1];
      raw[0] = MARK_AFTER;
      System.arraycopy(after, 0, raw, 1, after.length);
    }
    engine.write(new WriteBatch().put(StorageEngine.Space.META, key(id), raw),
        StorageEngine.Durability.BUFFERED);
  }

  private static byte[] key(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }
}
