package io.ringkv.sim;

import io.ringkv.version.Dot;
import io.ringkv.version.Sibling;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The checkers that follow causality through the history.
 *
 * <p>1. No acknowledged write is lost. For every acknowledged put: (a) the healed version's
 * context descends from the put's (its write is in the causal past of what the cluster holds);
 * and (b) the write is still a sibling, or some client overwrote it knowingly: a later put's
 * context came from a get that returned it, or returned a write that (transitively) overwrote it
 * knowingly. (a) alone would pass a replica that drops a sibling but keeps its dot in the
 * context; (b) catches it. A put with w < 2 sent before a disk loss is exempt: its only copy may
 * be the one lost (even when the acknowledgement arrived after the loss). So is a write whose
 * every copy was lost after a power cut took one of them (see {@link #lostToPowerCuts}).
 *
 * <p>6. Quorum reads see acknowledged writes, where quorums intersect: a get that asked only home
 * replicas, issued after a put was acknowledged by enough home replicas (r + holders > N), sees
 * the put's write, unless a disk was lost, or a power cut took a copy of the write, after the put
 * was sent and before the get ended. Sloppy
 * quorums (fallbacks standing in for home replicas) do not promise more.
 */
final class CausalChecker {

  private final Scenario scenario;
  private final History history;
  private final FinalState fin;
  private final Map<PutOp, Set<Dot>> overwritten = new IdentityHashMap<>();
  private final Map<String, List<PutOp>> deletes = new TreeMap<>();
  private final Map<String, List<Set<Dot>>> deletePrefixes = new TreeMap<>();
  private final Map<String, Map<Dot, PutOp>> ackedDeletes = new TreeMap<>();

  CausalChecker(Scenario scenario, History history, FinalState fin) {
    this.scenario = scenario;
    this.history = history;
    this.fin = fin;
    for (PutOp p : history.puts) {
      if (p.isDelete()) {
        deletes.computeIfAbsent(p.key, k -> new ArrayList<>()).add(p);
        if (p.acked() && p.dot != null) {
          ackedDeletes.computeIfAbsent(p.key, k -> new TreeMap<>()).put(p.dot, p);
        }
      }
    }
  }

  List<String> lostWrites() {
    List<String> out = new ArrayList<>();
    if (history.syncWrites) {
      // Every data and hint write is synced: a power cut may take only what nobody was told of.
      for (History.PowerCut c : history.powerCuts) {
        if (!c.lostCopies().isEmpty()) {
          Checkers.addCapped(out, "lost write: with storage.sync-writes true, the power cut of "
              + c.node() + " at " + EventLog.millis(c.nanos()) + " ms took its copies of "
              + c.lostCopies());
        }
      }
    }
    for (String key : scenario.keys()) {
      VersionedObject f = fin.merged().get(key);
      if (f == null) {
        continue; // the failed final read is reported by checker 0
      }
      Set<Dot> present = new TreeSet<>();
      for (Sibling s : f.siblings()) {
        present.add(s.dot());
      }
      Set<Dot> knowinglyOverwritten = new TreeSet<>();
      for (PutOp q : history.puts) {
        if (q.key.equals(key)) {
          knowinglyOverwritten.addAll(overwrittenBy(q));
        }
      }
      for (PutOp p : history.puts) {
        if (!p.key.equals(key) || !p.acked() || mayBeLost(p) || lostToPowerCuts(p)) {
          continue;
        }
        if (!f.context().descends(p.vectorOut)) {
          Checkers.addCapped(out, "lost write: acknowledged " + p + " with context "
              + p.vectorOut + " is not in the healed version of " + key + " " + f);
        } else if (p.dot != null && !present.contains(p.dot)
            && !knowinglyOverwritten.contains(p.dot)) {
          Checkers.addCapped(out, "lost write: acknowledged " + p + " is gone from " + key
              + " although no client that wrote after it had seen it (dropped, not overwritten);"
              + " writes whose context covered it: " + coveredBy(key, p.dot)
              + "; healed version " + f);
        }
      }
    }
    return out;
  }

  List<String> staleReads() {
    List<String> out = new ArrayList<>();
    int n = scenario.settings().n();
    for (String key : scenario.keys()) {
      // Walk acknowledgements and gets in history order, keeping the acknowledged puts a get
      // must see: those that had reached enough home replicas' data to meet any r-quorum of home
      // replicas (r + holders > N), if no disk was lost since they were sent.
      List<Object> events = new ArrayList<>();
      for (PutOp p : history.puts) {
        if (p.key.equals(key) && p.acked() && p.dot != null) {
          events.add(p);
        }
      }
      for (GetOp g : history.gets) {
        if (g.key.equals(key) && g.ok && g.homeTargets) {
          events.add(g);
        }
      }
      events.sort((a, b) -> Long.compare(step(a), step(b)));
      List<PutOp> acked = new ArrayList<>();
      for (Object e : events) {
        if (e instanceof PutOp p) {
          acked.add(p);
          continue;
        }
        GetOp g = (GetOp) e;
        if (g.doneStep > history.membershipStep) {
          // Home replicas and the holders of a put were counted by a ring that has changed
          // since: the quorum reasoning no longer applies (see the sim README).
          continue;
        }
        int r = g.r != 0 ? g.r : scenario.settings().r();
        for (PutOp p : acked) {
          // A disk lost while the get ran counts too: its reply may come from the empty disk.
          if (r + p.homeHolders > n && !diskLostBetween(p.issuedStep, g.doneStep)
              && !history.copyCutBetween(key, p.dot, p.issuedStep, g.doneStep)
              && !g.object.context().contains(p.dot)) {
            Checkers.addCapped(out, "stale read: " + g + " returned context "
                + g.object.context() + " that misses " + p + ", acknowledged before the get"
                + " was issued with " + p.homeHolders + " home replicas holding it (r + "
                + p.homeHolders + " > N)");
            break;
          }
        }
      }
    }
    return out;
  }

  /**
   * 7. A put is acknowledged only once W nodes hold it: when the node answered the client, at
   * least w nodes' data or hints had seen the write (unless a disk was lost meanwhile).
   */
  List<String> ackedByW() {
    List<String> out = new ArrayList<>();
    for (PutOp p : history.puts) {
      int w = p.w != 0 ? p.w : scenario.settings().w();
      if (p.acked() && p.dot != null && p.holders < w
          && !diskLostBetween(p.issuedStep, p.answerStep)
          && !history.copyCutBetween(p.key, p.dot, p.issuedStep, p.answerStep)) {
        Checkers.addCapped(out, "acknowledged before W: " + p + " was acknowledged with w=" + w
            + " when only " + p.holders + " node(s) held it");
      }
    }
    return out;
  }

  /**
   * 8. Acknowledged writes reach W home replicas by handoff alone ({@code under-replicated}).
   * Once the cluster has healed and hinted handoff has emptied every hint store, and before the
   * healing reads repair anything, every acknowledged put is in the data of at least w of its
   * home replicas, less one per disk lost after the put was sent. Each acknowledgement the
   * coordinator counts stands for a distinct home replica: its own data, another home replica's
   * data, or a fallback's hint for one home replica that is down, which handoff must deliver to
   * that replica before deleting it. The healing reads with r = N would copy a write from the one
   * replica that still has it to the others and so hide a hint that was dropped, not delivered;
   * this checker looks before them. Skipped when the cluster did not heal (checker 0 says so).
   */
  List<String> handedOff() {
    List<String> out = new ArrayList<>();
    if (fin.handedOff().isEmpty()) {
      return out;
    }
    for (PutOp p : history.puts) {
      if (!p.acked() || p.dot == null) {
        continue;
      }
      int w = p.w != 0 ? p.w : scenario.settings().w();
      int lost = 0;
      for (History.DiskLoss d : history.diskLosses) {
        if (d.step() > p.issuedStep) {
          lost++;
        }
      }
      for (History.PowerCut c : history.powerCuts) {
        if (c.step() > p.issuedStep && c.lost(p.key, p.dot)) {
          lost++;
        }
      }
      Map<String, VersionedObject> home = fin.handedOff().get(p.key);
      List<String> holding = new ArrayList<>();
      for (Map.Entry<String, VersionedObject> e : home.entrySet()) {
        if (e.getValue().covers(p.dot)) {
          holding.add(e.getKey());
        }
      }
      if (holding.size() < w - lost) {
        Checkers.addCapped(out, "under-replicated: acknowledged " + p + " with w=" + w
            + " is in the data of only " + holding.size() + " of its home replicas "
            + home.keySet() + " (" + holding + ") after hinted handoff finished, before the"
            + " healing reads" + (lost > 0 ? " (" + lost + " copies lost to a lost disk or a"
            + " power cut since it was sent)" : ""));
      }
    }
    return out;
  }

  private static long step(Object e) {
    return e instanceof PutOp p ? p.doneStep : ((GetOp) e).issuedStep;
  }

  /** The first few puts whose context covered {@code dot}: the suspects of a silent overwrite. */
  private String coveredBy(String key, Dot dot) {
    List<String> out = new ArrayList<>();
    for (PutOp q : history.puts) {
      if (q.key.equals(key) && q.vectorIn.contains(dot)) {
        if (out.size() == 3) {
          out.add("...");
          break;
        }
        out.add(q.toString());
      }
    }
    return out.isEmpty() ? "none" : String.join(", ", out);
  }

  /**
   * A put acknowledged by fewer than two replicas may be gone for good if a disk was lost after
   * it was sent: the write may have landed before the loss even if the acknowledgement came after.
   */
  private boolean mayBeLost(PutOp p) {
    int w = p.w != 0 ? p.w : scenario.settings().w();
    if (w >= 2) {
      return false;
    }
    for (History.DiskLoss d : history.diskLosses) {
      if (d.step() > p.issuedStep) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether every copy of the put's write may be lost to power cuts, which the protocol cannot
   * undo: a power cut took a copy of it (a node's data or hints covered its dot before the cut
   * and not after), and from then on, at some moment, no node's data or hints covered it any
   * more, superseded or not (the simulation notes this as it happens: after every power cut,
   * disk loss, and deletion of data or hints, for the writes a cut took a copy of). A write that
   * kept a copy somewhere all along is held to the protocol, whatever else the cuts took: a
   * replica that drops it keeping its dot in the context still covers it. A put whose dot is
   * unknown is exempt if any write of it is.
   */
  private boolean lostToPowerCuts(PutOp p) {
    java.util.Set<Dot> gone = history.goneAfterPowerCut.get(p.key);
    if (gone == null) {
      return false;
    }
    if (p.dot != null) {
      return gone.contains(p.dot);
    }
    if (p.value != null) {
      for (Dot d : history.dotsOf(p.value)) {
        if (gone.contains(d)) {
          return true;
        }
      }
      return false;
    }
    return true; // a delete whose dot the client never learnt: lenient
  }

  private boolean diskLostBetween(long fromStep, long toStep) {
    for (History.DiskLoss d : history.diskLosses) {
      if (d.step() > fromStep && d.step() < toStep) {
        return true;
      }
    }
    return false;
  }

  /** The writes the client of {@code q} had seen, directly or through what they overwrote. */
  private Set<Dot> overwrittenBy(PutOp q) {
    Set<Dot> memo = overwritten.get(q);
    if (memo != null) {
      return memo;
    }
    Set<Dot> out = new TreeSet<>();
    if (q.source == PutOp.Source.READ) {
      for (Sibling s : q.fromRead.object.siblings()) {
        out.add(s.dot());
        out.addAll(writerKnowledge(q.key, s, q.fromRead.doneStep));
      }
    } else if (q.source == PutOp.Source.PUT) {
      if (q.fromPut.dot != null) {
        out.add(q.fromPut.dot);
      }
      out.addAll(overwrittenBy(q.fromPut));
    }
    overwritten.put(q, out);
    return out;
  }

  /** What the write behind sibling {@code s} had knowingly overwritten. */
  private Set<Dot> writerKnowledge(String key, Sibling s, long readStep) {
    if (!s.isTombstone()) {
      PutOp w = history.putOf(new String(s.value(), StandardCharsets.UTF_8));
      return w == null ? Set.of() : overwrittenBy(w);
    }
    PutOp d = ackedDeletes.getOrDefault(key, Map.of()).get(s.dot());
    if (d != null) {
      return overwrittenBy(d);
    }
    // A tombstone of a delete whose dot the client never learnt: any delete sent before the
    // read may have written it, so grant the union of what they had seen (the lenient choice).
    return deletesBefore(key, readStep);
  }

  private Set<Dot> deletesBefore(String key, long step) {
    List<PutOp> ds = deletes.getOrDefault(key, List.of());
    List<Set<Dot>> prefixes = deletePrefixes.computeIfAbsent(key, k -> new ArrayList<>());
    int count = 0;
    while (count < ds.size() && ds.get(count).issuedStep < step) {
      count++;
    }
    // prefixes.get(i) is the union over the first i + 1 deletes; each needs only earlier ones.
    while (prefixes.size() < count) {
      int i = prefixes.size();
      Set<Dot> union = new TreeSet<>(i == 0 ? Set.of() : prefixes.get(i - 1));
      union.addAll(overwrittenBy(ds.get(i)));
      prefixes.add(union);
    }
    return count == 0 ? Set.of() : prefixes.get(count - 1);
  }
}
