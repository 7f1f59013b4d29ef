package io.ringkv.sim;

import io.ringkv.gossip.ClusterState;
import io.ringkv.ring.Ring;
import io.ringkv.storage.ForwardingStorageEngine;
import io.ringkv.storage.Cursor;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.storage.WriteBatch;
import io.ringkv.version.Sibling;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A node's disk with the simulator watching: every object written to the data or hint space is
 * decoded and its siblings reported to the {@link History}, which so learns the dot of every
 * write any node ever made (the checkers need the dot of a put whose acknowledgement does not
 * name its coordinator, and of a write coordinated twice), and the event log shows every store.
 * It also watches hints being deleted: a hint may only go once the node it was meant for holds
 * its versions in its data (handoff delivered it), and each deletion that breaks this is reported
 * to the history for checker 9. Passes everything through unchanged.
 */
final class ObservedEngine extends ForwardingStorageEngine {

  private final String node;
  private final History history;
  private final EventLog log;
  private final LongSupplier nowNanos;
  private final Function<String, StorageEngine> disks;
  private final Function<String, ClusterState> states;
  /** Told the keys whose data or hints this disk deleted, after the deletion. */
  private final java.util.function.Consumer<java.util.Set<String>> deleted;
  /** Per hint entry (hex of its key) on this disk, when it was last written. */
  private final Map<String, Long> hintWrittenNanos = new TreeMap<>();

  /**
   * @param nowNanos the simulated time
   * @param disks the current disk of each node, to look at a hint's target when it is deleted
   * @param states the cluster state each node that is up holds (null while down)
   * @param deleted told, after a write that deleted data or hints, the keys it deleted them of
   */
  ObservedEngine(StorageEngine real, String node, History history, EventLog log,
      LongSupplier nowNanos, Function<String, StorageEngine> disks,
      Function<String, ClusterState> states,
      java.util.function.Consumer<java.util.Set<String>> deleted) {
    super(real);
    this.deleted = deleted;
    this.node = node;
    this.history = history;
    this.log = log;
    this.nowNanos = nowNanos;
    this.disks = disks;
    this.states = states;
  }

  @Override
  public void write(WriteBatch batch, Durability durability) {
    Map<String, HintStore.Hint> deletedHints = new TreeMap<>();
    java.util.Set<String> deletedKeys = new java.util.TreeSet<>();
    for (WriteBatch.Mutation m : batch.mutations()) {
      if (m.isDelete() && m.space() == Space.HINTS) {
        byte[] old = delegate.get(Space.HINTS, m.key());
        if (old != null) {
          HintStore.Hint h = HintStore.decodeEntry(m.key(), old);
          deletedHints.put(HexFormat.of().formatHex(m.key()), h);
          deletedKeys.add(new String(h.key(), StandardCharsets.UTF_8));
        }
      } else if (m.isDelete() && m.space() == Space.DATA) {
        deletedKeys.add(new String(VersionedStore.userKey(m.key()), StandardCharsets.UTF_8));
      }
    }
    delegate.write(batch, durability);
    for (WriteBatch.Mutation m : batch.mutations()) {
      if (m.isDelete()) {
        continue;
      }
      if (m.space() == Space.DATA) {
        report(VersionedStore.userKey(m.key()), VersionCodec.decodeObject(m.value()), null);
      } else if (m.space() == Space.HINTS) {
        HintStore.Hint h = HintStore.decodeEntry(m.key(), m.value());
        hintWrittenNanos.put(HexFormat.of().formatHex(m.key()), nowNanos.getAsLong());
        report(h.key(), h.object(), h.node());
      }
    }
    for (Map.Entry<String, HintStore.Hint> e : deletedHints.entrySet()) {
      Long written = hintWrittenNanos.remove(e.getKey());
      deleted(e.getValue(), written == null ? 0 : written);
    }
    if (!deletedKeys.isEmpty()) {
      deleted.accept(deletedKeys);
    }
  }

  /**
   * After a power cut undid writes below this view: hints whose write was lost are gone, and hints
   * whose deletion was lost are back, as if written again now (handoff delivers them again).
   */
  void afterPowerCut() {
    Map<String, Long> now = new TreeMap<>();
    try (Cursor c = delegate.scan(Space.HINTS, null, null)) {
      while (c.hasNext()) {
        String id = HexFormat.of().formatHex(c.next().key());
        Long written = hintWrittenNanos.get(id);
        now.put(id, written != null ? written : nowNanos.getAsLong());
      }
    }
    hintWrittenNanos.clear();
    hintWrittenNanos.putAll(now);
  }

  /**
   * A hint left this disk: its target's data must already hold what it held; or, when its target
   * is no longer a home replica of the key (it left, was removed, or a ring change moved the key
   * away from it), handoff delivers it to the key's home replicas instead, so every home replica
   * of the key, by the ring this node routes by or by the pending one, must hold it.
   */
  private void deleted(HintStore.Hint h, long writtenNanos) {
    String k = new String(h.key(), StandardCharsets.UTF_8);
    log.add(() -> node + " deletes its hint for " + h.node() + " of " + k);
    StorageEngine target = disks.apply(h.node());
    VersionedObject there = target == null ? VersionedObject.EMPTY : Disks.data(target, h.key());
    if (!there.context().descends(h.object().context())
        && !deliveredToHomes(h, states.apply(node))) {
      history.hintDropped(new History.HintDrop(node, h.node(), k, h.object(), there,
          writtenNanos, nowNanos.getAsLong()));
    }
  }

  /** Whether every home replica of the hint's key, by one of the rings {@code s} has, holds it. */
  private boolean deliveredToHomes(HintStore.Hint h, ClusterState s) {
    if (s == null) {
      return false;
    }
    for (Ring r : s.settled() ? List.of(s.ring()) : List.of(s.ring(), s.next())) {
      List<String> homes = ClusterState.homes(r, r.partitionOf(h.key()));
      if (homes.contains(h.node()) && s.involved().contains(h.node())) {
        continue; // still a home replica there: it is the one that must hold the hint
      }
      boolean all = true;
      for (String home : homes) {
        StorageEngine d = disks.apply(home);
        if (d == null || !Disks.data(d, h.key()).context().descends(h.object().context())) {
          all = false;
        }
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  private void report(byte[] key, VersionedObject o, String hintFor) {
    String k = new String(key, StandardCharsets.UTF_8);
    log.add(() -> node + " stores " + k + (hintFor == null ? "" : " as a hint for " + hintFor)
        + ": " + o);
    for (Sibling s : o.siblings()) {
      history.observeDot(k,
          s.isTombstone() ? null : new String(s.value(), StandardCharsets.UTF_8), s.dot());
    }
  }

}
