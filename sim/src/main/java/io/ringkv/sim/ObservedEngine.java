package io.ringkv.sim;

import io.ringkv.storage.Cursor;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.storage.WriteBatch;
import io.ringkv.version.Sibling;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;

/**
 * A node's disk with the simulator watching: every object written to the data or hint space is
 * decoded and its siblings reported to the {@link History}, which so learns the dot of every
 * write any node ever made (the checkers need the dot of a put whose acknowledgement does not
 * name its coordinator, and of a write coordinated twice), and the event log shows every store.
 * Passes everything through unchanged.
 */
final class ObservedEngine implements StorageEngine {

  private final StorageEngine real;
  private final String node;
  private final History history;
  private final EventLog log;

  ObservedEngine(StorageEngine real, String node, History history, EventLog log) {
    this.real = real;
    this.node = node;
    this.history = history;
    this.log = log;
  }

  @Override
  public byte[] get(Space space, byte[] key) {
    return real.get(space, key);
  }

  @Override
  public void write(WriteBatch batch, Durability durability) {
    real.write(batch, durability);
    for (WriteBatch.Mutation m : batch.mutations()) {
      if (m.isDelete()) {
        continue;
      }
      if (m.space() == Space.DATA) {
        report(VersionedStore.userKey(m.key()), VersionCodec.decodeObject(m.value()), null);
      } else if (m.space() == Space.HINTS) {
        HintStore.Hint h = HintStore.decodeEntry(m.key(), m.value());
        report(h.key(), h.object(), h.node());
      }
    }
  }

  private void report(byte[] key, VersionedObject o, String hintFor) {
    String k = new String(key, StandardCharsets.UTF_8);
    log.add(() -> node + " stores " + k + (hintFor == null ? "" : " as a hint for " + hintFor)
        + ": " + o);
    for (Sibling s : o.siblings()) {
      if (!s.isTombstone()) {
        history.observeDot(k, new String(s.value(), StandardCharsets.UTF_8), s.dot());
      }
    }
  }

  @Override
  public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
    return real.scan(space, fromInclusive, toExclusive);
  }

  @Override
  public void close() {
    real.close();
  }
}
