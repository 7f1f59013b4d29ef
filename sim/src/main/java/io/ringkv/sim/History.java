package io.ringkv.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the clients did and saw, and the facts of the run the checkers need: disk losses,
 * and errors that escaped protocol code. Steps order records strictly even when two happen at the
 * same virtual instant.
 */
final class History {

  /** A disk loss: the node's data was gone from this step on. */
  record DiskLoss(String node, long step, long nanos) {}

  /**
   * A power cut: the node lost the writes its disk had not synced, from this step on.
   *
   * @param lostCopies per key, the dots of the writes whose copy on this node the cut took (the
   *     node's data or hints covered them before, and cover them no longer)
   */
  record PowerCut(String node, long step, long nanos,
      Map<String, java.util.Set<io.ringkv.version.Dot>> lostCopies) {

    boolean lost(String key, io.ringkv.version.Dot dot) {
      return lostCopies.getOrDefault(key, java.util.Set.of()).contains(dot);
    }

    boolean touched(String key) {
      return lostCopies.containsKey(key);
    }
  }

  /**
   * A hint deleted while its target's data did not hold it.
   *
   * @param holder the node that deleted the hint
   * @param target the node the hint was meant for
   * @param hint what the hint held
   * @param there what the target's data held at that moment
   * @param writtenNanos when the hint was last written
   * @param deletedNanos when it was deleted
   */
  record HintDrop(String holder, String target, String key,
      io.ringkv.version.VersionedObject hint, io.ringkv.version.VersionedObject there,
      long writtenNanos, long deletedNanos) {}

  final List<GetOp> gets = new ArrayList<>();
  final List<PutOp> puts = new ArrayList<>();
  final List<String> internalErrors = new ArrayList<>();
  final List<DiskLoss> diskLosses = new ArrayList<>();
  /** Power cuts, in order. */
  final List<PowerCut> powerCuts = new ArrayList<>();
  /** Whether nodes sync every data and hint write ({@code storage.sync-writes: true}). */
  boolean syncWrites;
  final List<HintDrop> hintDrops = new ArrayList<>();
  private final Map<String, PutOp> putsByValue = new TreeMap<>();
  /** Per value (unique to a put), the dots of every write event that stored it. */
  private final Map<String, java.util.TreeSet<io.ringkv.version.Dot>> dotsByValue = new TreeMap<>();
  private final Map<String, java.util.TreeSet<io.ringkv.version.Dot>> dotsByKey = new TreeMap<>();
  /** Per dot, the write (key and value) it was first issued for. */
  private final Map<io.ringkv.version.Dot, String> writeOfDot = new TreeMap<>();
  /** Checker 11's findings: dots issued for two different writes. */
  final List<String> reusedDots = new ArrayList<>();
  private long step;

  long nextStep() {
    return ++step;
  }

  GetOp newGet(String client, String key, int r, String node, long nanos) {
    GetOp g = new GetOp(gets.size() + 1, client, key, r, node, nanos, nextStep());
    gets.add(g);
    return g;
  }

  PutOp newPut(String client, String key, String value, PutOp.Source source, GetOp fromRead,
      PutOp fromPut, io.ringkv.version.VersionVector vectorIn, int w, String node, long nanos) {
    PutOp p = new PutOp(puts.size() + 1, client, key, value, source, fromRead, fromPut,
        vectorIn, w, node, nanos, nextStep());
    puts.add(p);
    if (value != null) {
      putsByValue.put(value, p);
    }
    return p;
  }

  /** The put that wrote {@code value}, or null if no client ever wrote it. */
  PutOp putOf(String value) {
    return putsByValue.get(value);
  }

  /**
   * A node stored a sibling with {@code dot}, holding {@code value} ({@code null}: a tombstone).
   * A dot is the identity of one write: seen before with another key or value, it was issued
   * twice (checker 11).
   */
  void observeDot(String key, String value, io.ringkv.version.Dot dot) {
    if (value != null) {
      dotsByValue.computeIfAbsent(value, v -> new java.util.TreeSet<>()).add(dot);
    }
    dotsByKey.computeIfAbsent(key, k -> new java.util.TreeSet<>()).add(dot);
    String write = key + (value == null ? " <tombstone>" : " '" + value + "'");
    String before = writeOfDot.putIfAbsent(dot, write);
    if (before != null && !before.equals(write) && reusedDots.size() < 20) {
      reusedDots.add("dot " + dot + " was issued for " + before + ", then for " + write);
    }
  }

  /** Every dot a node stored for {@code key}, tombstones included. */
  java.util.Set<io.ringkv.version.Dot> dotsOfKey(String key) {
    java.util.Set<io.ringkv.version.Dot> d = dotsByKey.get(key);
    return d == null ? java.util.Set.of() : d;
  }

  /**
   * The dots a power cut took a copy of and that, at some moment after that cut, no node's data
   * or hints covered any more: writes whose every copy was lost to faults (checker 1 exempts
   * them). Recorded as it happens by the simulation.
   */
  final Map<String, java.util.Set<io.ringkv.version.Dot>> goneAfterPowerCut = new TreeMap<>();

  /** Per key, the dots a power cut took a copy of (candidates for {@link #goneAfterPowerCut}). */
  final Map<String, java.util.Set<io.ringkv.version.Dot>> atRisk = new TreeMap<>();

  void powerCut(String node, long nanos,
      Map<String, java.util.Set<io.ringkv.version.Dot>> lostCopies) {
    powerCuts.add(new PowerCut(node, nextStep(), nanos, lostCopies));
    for (Map.Entry<String, java.util.Set<io.ringkv.version.Dot>> e : lostCopies.entrySet()) {
      atRisk.computeIfAbsent(e.getKey(), k -> new java.util.TreeSet<>()).addAll(e.getValue());
    }
  }

  /** Whether a power cut after {@code fromStep} and before {@code toStep} took a copy of it. */
  boolean copyCutBetween(String key, io.ringkv.version.Dot dot, long fromStep, long toStep) {
    for (PowerCut c : powerCuts) {
      if (c.step() > fromStep && c.step() < toStep && c.lost(key, dot)) {
        return true;
      }
    }
    return false;
  }

  /** The dots under which {@code value} was stored so far (more than one: coordinated twice). */
  java.util.Set<io.ringkv.version.Dot> dotsOf(String value) {
    java.util.Set<io.ringkv.version.Dot> d = dotsByValue.get(value);
    return d == null ? java.util.Set.of() : d;
  }

  void internalError(String where, Throwable t) {
    internalErrors.add(where + ": " + t);
  }

  /** Checker 10's findings: handovers marked done while the receiver missed a source's data. */
  final List<String> incompleteTransfers = new ArrayList<>();

  void hintDropped(HintDrop drop) {
    hintDrops.add(drop);
  }

  /** The step of the first membership change an administrator made (MAX_VALUE: none). */
  long membershipStep = Long.MAX_VALUE;

  void membershipChange() {
    if (membershipStep == Long.MAX_VALUE) {
      membershipStep = nextStep();
    }
  }

  void diskLoss(String node, long nanos) {
    diskLosses.add(new DiskLoss(node, nextStep(), nanos));
  }

  int requests() {
    return gets.size() + puts.size();
  }
}
