package io.ringkv.version;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An object as a replica stores it, in dotted-version-vector form (Preguiça et al. 2010, as in
 * Riak 2.0): the concurrent siblings, each with the dot of the write that made it, and one causal
 * context covering every sibling and everything they superseded.
 *
 * <p>Invariant: the context contains every sibling's dot, and no two siblings share a dot.
 * Siblings are kept sorted by dot so that equal objects are equal field by field.
 */
public final class VersionedObject {

  public static final VersionedObject EMPTY = new VersionedObject(VersionVector.EMPTY, List.of());

  private final VersionVector context;
  private final List<Sibling> siblings;

  /**
   * Its encoding once {@link VersionCodec#encodeObject} made it: a coordinator encodes the version
   * it writes once for its own store and again for every replica it sends it to. Not part of the
   * value; volatile, so that a thread that sees the array sees its contents.
   */
  private volatile byte[] encoding;

  private VersionedObject(VersionVector context, List<Sibling> sortedSiblings) {
    this.context = context;
    this.siblings = sortedSiblings;
  }

  /**
   * An object from its parts, validating the invariant (for decoders: stored and received data
   * is checked, never trusted).
   */
  public static VersionedObject of(VersionVector context, List<Sibling> siblings) {
    List<Sibling> sorted = new ArrayList<>(siblings);
    sorted.sort((a, b) -> a.dot().compareTo(b.dot()));
    for (int i = 0; i < sorted.size(); i++) {
      Sibling s = sorted.get(i);
      if (!context.contains(s.dot())) {
        throw new IllegalArgumentException("sibling " + s.dot() + " is outside context " + context);
      }
      if (i > 0 && sorted.get(i - 1).dot().equals(s.dot())) {
        throw new IllegalArgumentException("two siblings share dot " + s.dot());
      }
    }
    return new VersionedObject(context, Collections.unmodifiableList(sorted));
  }

  byte[] encoding() {
    return encoding;
  }

  void encoding(byte[] encoded) {
    this.encoding = encoded;
  }

  public VersionVector context() {
    return context;
  }

  /** All siblings, tombstones included, sorted by dot. */
  public List<Sibling> siblings() {
    return siblings;
  }

  /** The values a client sees: siblings that are not tombstones. */
  public List<byte[]> values() {
    List<byte[]> out = new ArrayList<>(siblings.size());
    for (Sibling s : siblings) {
      if (!s.isTombstone()) {
        out.add(s.value());
      }
    }
    return out;
  }

  /** Nothing stored, or only tombstones. */
  public boolean isDeleted() {
    for (Sibling s : siblings) {
      if (!s.isTombstone()) {
        return false;
      }
    }
    return true;
  }

  /** Whether the write {@code dot} is here or was superseded by something here. */
  public boolean covers(Dot dot) {
    return context.contains(dot);
  }

  /**
   * The dot a new write by {@code actor} gets: above every counter of {@code actor} that either
   * this object or the client's context has seen, and above {@code floor} (the node's own
   * monotonic counter), so a dot is never issued twice even after the context was truncated.
   */
  public Dot nextDot(Actor actor, VersionVector clientContext, long floor) {
    long c = Math.max(Math.max(context.counter(actor), clientContext.counter(actor)), floor);
    return new Dot(actor, c + 1);
  }

  /**
   * The coordinator's write (the event): a new sibling with {@code dot}, replacing exactly the
   * siblings that {@code clientContext} has seen and keeping every other one. {@code value ==
   * null} writes a tombstone. The context is truncated to {@code maxClockEntries}, never dropping
   * an entry a sibling needs.
   */
  public VersionedObject write(
      VersionVector clientContext, Dot dot, byte[] value, long nowMillis, int maxClockEntries) {
    return write(clientContext, null, dot, value, nowMillis, maxClockEntries);
  }

  /**
   * Like {@link #write(VersionVector, Dot, byte[], long, int)} for a dotted client context: the
   * writer saw {@code seen} and, besides it, the single event {@code seenDot} (may be null).
   */
  public VersionedObject write(VersionVector seen, Dot seenDot, Dot dot, byte[] value,
      long nowMillis, int maxClockEntries) {
    List<Sibling> kept = new ArrayList<>(siblings.size() + 1);
    for (Sibling s : siblings) {
      if (!seen.contains(s.dot()) && !s.dot().equals(seenDot)) {
        kept.add(s);
      }
    }
    Sibling written = new Sibling(dot, value, nowMillis);
    kept.add(written);
    Set<Actor> needed = new HashSet<>();
    for (Sibling s : kept) {
      needed.add(s.dot().actor());
    }
    // seenDot is deliberately not merged into the context as a vector entry: its counter would
    // also cover that actor's earlier events, which this replica may not have seen. A replica
    // that holds seenDot as a sibling already covers it (and drops it above).
    VersionVector ctx = context.merge(seen).with(dot, nowMillis).truncate(maxClockEntries, needed);
    return of(ctx, kept);
  }

  /**
   * Synchronizes two replicas' states of one object: keeps a sibling unless the other side has
   * seen its dot and no longer holds it (it was superseded there). Commutative, associative,
   * idempotent; the result descends from both inputs.
   */
  public VersionedObject merge(VersionedObject other) {
    if (other == this || other.siblings.isEmpty() && context.descends(other.context)) {
      return this;
    }
    if (siblings.isEmpty() && other.context.descends(context)) {
      return other;
    }
    Set<Dot> otherDots = dots(other.siblings);
    Set<Dot> ourDots = dots(siblings);
    List<Sibling> out = new ArrayList<>(siblings.size() + other.siblings.size());
    for (Sibling s : siblings) {
      if (otherDots.contains(s.dot()) || !other.context.contains(s.dot())) {
        out.add(s);
      }
    }
    for (Sibling s : other.siblings) {
      if (!ourDots.contains(s.dot()) && !context.contains(s.dot())) {
        out.add(s);
      }
    }
    return of(context.merge(other.context), out);
  }

  private static Set<Dot> dots(List<Sibling> siblings) {
    Set<Dot> out = new HashSet<>(siblings.size() * 2);
    for (Sibling s : siblings) {
      out.add(s.dot());
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionedObject v
        && context.equals(v.context)
        && siblings.equals(v.siblings);
  }

  @Override
  public int hashCode() {
    return Objects.hash(context, siblings);
  }

  @Override
  public String toString() {
    return "VersionedObject" + siblings + " @ " + context;
  }
}
