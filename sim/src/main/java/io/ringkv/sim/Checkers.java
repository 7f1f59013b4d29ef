package io.ringkv.sim;

import io.ringkv.ring.Ring;
import io.ringkv.version.Sibling;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The invariants checked after a run has healed. Each failure is one line naming the checker,
 * what broke and the operations involved. The causal ones (no acknowledged write lost, no stale
 * quorum read) are in {@link CausalChecker}.
 */
final class Checkers {

  /** At most this many failures per checker: the first ones are the interesting ones. */
  static final int MAX_PER_CHECKER = 5;

  private Checkers() {}

  static List<String> run(Scenario s, History h, FinalState f) {
    List<String> out = new ArrayList<>();
    out.addAll(healthy(h, f));
    CausalChecker causal = new CausalChecker(s, h, f);
    out.addAll(causal.lostWrites());
    out.addAll(nothingInvented(h, f));
    out.addAll(convergedByAntiEntropy(f));
    out.addAll(converged(s, f));
    out.addAll(ringsAgree(f));
    out.addAll(siblingsBounded(s, h, f));
    out.addAll(causal.staleReads());
    out.addAll(causal.ackedByW());
    out.addAll(causal.handedOff());
    out.addAll(hintsDelivered(h));
    out.addAll(transfersComplete(h));
    out.addAll(dotsUnique(h));
    return out;
  }

  /**
   * 11. A dot is issued once ({@code dot reused}), checked as it happens: no two writes (a key
   * and a value, or a key's tombstone) were ever stored under one dot (actor, counter), on any
   * node, in any life. A node that restarts must never issue a counter it already issued under
   * the same actor, even after a power cut took the write that used it and the lease that
   * covered it: the write lives on in other replicas, and the two would compare as one version
   * there, so one of them is silently dropped (Riak's kv679).
   */
  static List<String> dotsUnique(History h) {
    List<String> out = new ArrayList<>();
    for (String f : h.reusedDots) {
      add(out, "dot reused: " + f);
    }
    return out;
  }

  /**
   * 10. A handover is done only once its partition's data arrived ({@code transfer incomplete}),
   * checked as it happens (see {@code SimCluster.transferWatch}): when a node's handover of a
   * partition becomes done, its data of every key of the partition descends what one of the
   * partition's old home replicas held when it learned of the ring change. Anti-entropy and the
   * healing reads would repair a partition that a transfer left behind, so checkers 1, 3 and 8
   * see such a bug only when it loses a write's last copies.
   */
  static List<String> transfersComplete(History h) {
    List<String> out = new ArrayList<>();
    for (String f : h.incompleteTransfers) {
      add(out, f);
    }
    return out;
  }

  /** 0. No exception other than an expected KvException escaped, and the healed cluster serves. */
  static List<String> healthy(History h, FinalState f) {
    List<String> out = new ArrayList<>();
    for (String e : h.internalErrors) {
      add(out, "internal error: " + e);
    }
    for (String u : f.unhealed()) {
      add(out, "liveness: the cluster did not heal within "
          + Simulation.HEAL_LIMIT_NANOS / 1_000_000_000L + " s: " + u);
    }
    for (Map.Entry<String, String> e : f.readErrors().entrySet()) {
      add(out, "liveness: after the heal, get " + e.getKey() + " with r=N failed: " + e.getValue());
    }
    return out;
  }

  /** 2. Every value read was written, to that key, by a put issued before the read finished. */
  static List<String> nothingInvented(History h, FinalState f) {
    List<String> out = new ArrayList<>();
    for (GetOp g : h.gets) {
      if (g.ok) {
        check(out, h, g.key, g.object, g.doneStep, g.toString());
      }
    }
    for (Map.Entry<String, VersionedObject> e : f.merged().entrySet()) {
      check(out, h, e.getKey(), e.getValue(), Long.MAX_VALUE, "the final get of " + e.getKey());
    }
    return out;
  }

  private static void check(List<String> out, History h, String key, VersionedObject o,
      long beforeStep, String read) {
    for (Sibling s : o.siblings()) {
      if (s.isTombstone()) {
        continue;
      }
      String v = new String(s.value(), StandardCharsets.UTF_8);
      PutOp p = h.putOf(v);
      if (p == null) {
        add(out, "invented value: " + read + " returned '" + v + "', which no client wrote");
      } else if (!p.key.equals(key)) {
        add(out, "invented value: " + read + " returned '" + v + "', written to " + p.key);
      } else if (p.issuedStep > beforeStep) {
        add(out, "invented value: " + read + " returned '" + v + "' before " + p + " was sent");
      }
    }
  }

  /** 3. Every home replica of every key holds the same object; no hints are left. */
  static List<String> converged(Scenario s, FinalState f) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Map<String, VersionedObject>> e : f.stored().entrySet()) {
      VersionedObject expected = f.merged().get(e.getKey());
      for (Map.Entry<String, VersionedObject> r : e.getValue().entrySet()) {
        VersionedObject o = r.getValue();
        if (expected == null) {
          expected = o;
        } else if (!o.equals(expected)) {
          add(out, "not converged: key " + e.getKey() + " on " + r.getKey() + " is " + o
              + " but the healed read gave " + expected);
        }
      }
    }
    for (String node : f.hintsLeft()) {
      add(out, "hints left: " + node + " still holds hints after the heal");
    }
    return out;
  }

  /**
   * 3b. Anti-entropy alone made the replicas equal: once every partition's home replicas had
   * hash trees with equal roots, and before any healing read could repair a key, every home
   * replica of every key held the same object. (A tree that drifted from its storage would agree
   * with its peers' while the data differs: this catches that too.)
   */
  static List<String> convergedByAntiEntropy(FinalState f) {
    List<String> out = new ArrayList<>();
    if (!f.antiEntropyUnconverged().isEmpty()) {
      add(out, "not converged by anti-entropy: the trees of partitions "
          + f.antiEntropyUnconverged() + " still differed "
          + Simulation.HEAL_LIMIT_NANOS / 1_000_000_000L + " s after the heal");
    }
    for (Map.Entry<String, Map<String, VersionedObject>> e : f.storedBeforeReads().entrySet()) {
      VersionedObject first = null;
      String firstNode = null;
      for (Map.Entry<String, VersionedObject> r : e.getValue().entrySet()) {
        if (first == null) {
          first = r.getValue();
          firstNode = r.getKey();
        } else if (!r.getValue().equals(first)) {
          add(out, "not converged by anti-entropy: before the healing reads, key " + e.getKey()
              + " on " + r.getKey() + " is " + r.getValue() + " but on " + firstNode + " "
              + first);
        }
      }
    }
    return out;
  }

  /** 4. All nodes route by the same ring. */
  static List<String> ringsAgree(FinalState f) {
    List<String> out = new ArrayList<>();
    Ring first = null;
    String firstNode = null;
    for (Map.Entry<String, Ring> e : f.rings().entrySet()) {
      if (first == null) {
        first = e.getValue();
        firstNode = e.getKey();
      } else if (!first.equals(e.getValue())) {
        add(out, "rings differ: " + firstNode + " has version " + first.version() + ", "
            + e.getKey() + " has version " + e.getValue().version() + " (or other owners)");
      }
    }
    return out;
  }

  /**
   * 5. On the keys written only by read-modify-write, the siblings left are at most one per
   * client that wrote the key, plus one per write whose outcome the client does not know, plus
   * one per acknowledged write its client's next write of the key was not sure to supersede. A
   * client's next write supersedes its previous one when it carries that write's context, or the
   * context of a later get that saw it, which quorum intersection promises when the get asked the
   * home replicas only and r + (home replicas holding the put) > N; sloppy quorums promise
   * nothing. Siblings of one put coordinated twice count once. Skipped after a disk loss, and
   * for a key a power cut took a copy of a write of (holders counted at the acknowledgement may
   * be gone).
   */
  static List<String> siblingsBounded(Scenario s, History h, FinalState f) {
    List<String> out = new ArrayList<>();
    if (!h.diskLosses.isEmpty()) {
      return out;
    }
    for (String key : s.freshKeys()) {
      VersionedObject o = f.merged().get(key);
      if (o == null || cutTouched(h, key)) {
        continue;
      }
      Set<String> writers = new TreeSet<>();
      int unknown = 0;
      int unseen = 0;
      for (PutOp p : h.puts) {
        if (!p.key.equals(key)) {
          continue;
        }
        writers.add(p.client);
        if (!p.acked()) {
          unknown++;
        } else if (!supersededByNextWrite(s, h, p)) {
          unseen++;
        }
      }
      Set<String> writes = new TreeSet<>();
      for (Sibling sib : o.siblings()) {
        writes.add(sib.isTombstone() ? "tombstone " + sib.dot()
            : new String(sib.value(), StandardCharsets.UTF_8));
      }
      int bound = writers.size() + unknown + unseen;
      if (writes.size() > bound) {
        add(out, "sibling explosion: key " + key + " has " + writes.size()
            + " siblings from distinct writes " + writes + ", more than " + writers.size()
            + " writers + " + unknown + " writes of unknown outcome + " + unseen
            + " acknowledged writes their client's next write may not have superseded");
      }
    }
    return out;
  }

  /** Whether a power cut took a copy of any write of {@code key}. */
  private static boolean cutTouched(History h, String key) {
    for (History.PowerCut c : h.powerCuts) {
      if (c.touched(key)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the client's next write of the key (if any) was sure to supersede its acknowledged
   * put: it wrote with that put's own context, or with the context of a get issued after the put
   * that was sure to see it (it asked only home replicas, and r + home replicas holding the put
   * > N). What the client read in between without writing does not matter: a get that saw the
   * put and was followed by another get that did not (a sloppy one, say) supersedes nothing.
   */
  private static boolean supersededByNextWrite(Scenario s, History h, PutOp p) {
    for (PutOp q : h.puts) {
      if (!q.client.equals(p.client) || !q.key.equals(p.key) || q.issuedStep <= p.doneStep) {
        continue;
      }
      return switch (q.source) {
        case PUT -> q.fromPut == p;
        case BLIND -> false;
        case READ -> {
          GetOp g = q.fromRead;
          int r = g.r != 0 ? g.r : s.settings().r();
          // After a membership change the home replicas counted may not be the ring's: no
          // promise, so the put may be left as a sibling.
          yield g.doneStep <= h.membershipStep && p.dot != null && g.issuedStep > p.doneStep && g.homeTargets
              && r + p.homeHolders > s.settings().n();
        }
      };
    }
    return true; // its last write: counted among the writers
  }

  /**
   * 9. A hint is deleted only once it is delivered ({@code hint dropped}): when a node deletes
   * a hint, the data of the node it was meant for already holds the hint's versions (its context
   * descends from the hint's). Handoff deletes a hint only after that node acknowledged the
   * merge, and an acknowledged merge survives a crash; only a disk lost by the target, or a power
   * cut on the target, after the hint was last written excuses it (the acknowledgement may
   * predate the loss).
   */
  static List<String> hintsDelivered(History h) {
    List<String> out = new ArrayList<>();
    for (History.HintDrop d : h.hintDrops) {
      boolean excused = false;
      for (History.DiskLoss loss : h.diskLosses) {
        if (loss.node().equals(d.target()) && loss.nanos() >= d.writtenNanos()) {
          excused = true;
        }
      }
      for (History.PowerCut cut : h.powerCuts) {
        if (cut.node().equals(d.target()) && cut.nanos() >= d.writtenNanos()
            && cut.touched(d.key())) {
          excused = true; // the target may have acknowledged the merge, then lost it in the cut
        }
      }
      if (!excused) {
        add(out, "hint dropped: " + d.holder() + " deleted its hint for " + d.target()
            + " of key " + d.key() + " at " + d.deletedNanos() / 1_000_000.0 + " ms, " + d.hint()
            + ", while " + d.target() + "'s data held " + d.there() + ", which lacks some of it");
      }
    }
    return out;
  }

  private static void add(List<String> out, String failure) {
    if (out.size() < MAX_PER_CHECKER) {
      out.add(failure);
    } else if (out.size() == MAX_PER_CHECKER) {
      out.add("(more failures of this checker left out)");
    }
  }

  static void addCapped(List<String> out, String failure) {
    add(out, failure);
  }
}
