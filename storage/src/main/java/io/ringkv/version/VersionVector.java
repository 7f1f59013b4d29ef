package io.ringkv.version;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * An immutable vector clock: per actor, the highest event counter seen and the wall time it was
 * last raised (used only to truncate the oldest entries, as the Dynamo paper does).
 *
 * <p>Entries are kept sorted by actor in an array, so compare and merge are linear merges with no
 * hashing: the common clock has 3 to 10 entries.
 */
public final class VersionVector {

  /** One actor's position. */
  public record Entry(Actor actor, long counter, long lastUpdateMillis) {}

  public static final VersionVector EMPTY = new VersionVector(new Entry[0]);

  private static final Comparator<Entry> BY_ACTOR = Comparator.comparing(Entry::actor);

  private final Entry[] entries; // sorted by actor, unique actors, counters >= 1

  private VersionVector(Entry[] sortedEntries) {
    this.entries = sortedEntries;
  }

  /** Builds a vector from entries in any order; duplicate actors keep the highest counter. */
  public static VersionVector of(List<Entry> entries) {
    Entry[] sorted = entries.toArray(new Entry[0]);
    Arrays.sort(sorted, BY_ACTOR);
    int n = 0;
    for (Entry e : sorted) {
      if (e.counter() < 1) {
        throw new IllegalArgumentException("counter must be positive: " + e);
      }
      if (n > 0 && sorted[n - 1].actor().equals(e.actor())) {
        Entry prev = sorted[n - 1];
        sorted[n - 1] =
            new Entry(
                e.actor(),
                Math.max(prev.counter(), e.counter()),
                Math.max(prev.lastUpdateMillis(), e.lastUpdateMillis()));
      } else {
        sorted[n++] = e;
      }
    }
    return new VersionVector(n == sorted.length ? sorted : Arrays.copyOf(sorted, n));
  }

  public List<Entry> entries() {
    return Collections.unmodifiableList(Arrays.asList(entries));
  }

  public int size() {
    return entries.length;
  }

  public boolean isEmpty() {
    return entries.length == 0;
  }

  /** The highest counter of {@code actor} this vector has seen, 0 if none. */
  public long counter(Actor actor) {
    int i = Arrays.binarySearch(entries, new Entry(actor, 0, 0), BY_ACTOR);
    return i >= 0 ? entries[i].counter() : 0;
  }

  /** Whether the event {@code dot} is in this vector's causal past. */
  public boolean contains(Dot dot) {
    return counter(dot.actor()) >= dot.counter();
  }

  /** Whether this vector has seen everything {@code other} has seen. */
  public boolean descends(VersionVector other) {
    Order o = compare(other);
    return o == Order.AFTER || o == Order.EQUAL;
  }

  /** The causal order of this vector relative to {@code other}. */
  public Order compare(VersionVector other) {
    boolean thisAhead = false;
    boolean otherAhead = false;
    int i = 0;
    int j = 0;
    Entry[] a = entries;
    Entry[] b = other.entries;
    while (i < a.length || j < b.length) {
      int c = i == a.length ? 1 : j == b.length ? -1 : a[i].actor().compareTo(b[j].actor());
      if (c < 0) {
        thisAhead = true;
        i++;
      } else if (c > 0) {
        otherAhead = true;
        j++;
      } else {
        long x = a[i++].counter();
        long y = b[j++].counter();
        if (x > y) {
          thisAhead = true;
        } else if (y > x) {
          otherAhead = true;
        }
      }
      if (thisAhead && otherAhead) {
        return Order.CONCURRENT;
      }
    }
    return thisAhead ? Order.AFTER : otherAhead ? Order.BEFORE : Order.EQUAL;
  }

  /** The least vector that descends from both: pointwise maximum. */
  public VersionVector merge(VersionVector other) {
    if (other.entries.length == 0) {
      return this;
    }
    if (entries.length == 0) {
      return other;
    }
    Entry[] a = entries;
    Entry[] b = other.entries;
    Entry[] out = new Entry[a.length + b.length];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.length || j < b.length) {
      int c = i == a.length ? 1 : j == b.length ? -1 : a[i].actor().compareTo(b[j].actor());
      if (c < 0) {
        out[n++] = a[i++];
      } else if (c > 0) {
        out[n++] = b[j++];
      } else {
        Entry x = a[i++];
        Entry y = b[j++];
        long counter = Math.max(x.counter(), y.counter());
        long time = Math.max(x.lastUpdateMillis(), y.lastUpdateMillis());
        out[n++] = new Entry(x.actor(), counter, time);
      }
    }
    return new VersionVector(n == out.length ? out : Arrays.copyOf(out, n));
  }

  /** This vector with the event {@code dot} recorded at {@code nowMillis}. */
  public VersionVector with(Dot dot, long nowMillis) {
    return merge(new VersionVector(new Entry[] {new Entry(dot.actor(), dot.counter(), nowMillis)}));
  }

  /**
   * Drops the least recently updated entries until at most {@code maxEntries} remain, never an
   * entry of an actor in {@code keep}. Dropping an entry can only make old versions look
   * concurrent (a spurious sibling), never make a new one look old.
   */
  public VersionVector truncate(int maxEntries, Set<Actor> keep) {
    if (entries.length <= maxEntries) {
      return this;
    }
    List<Entry> droppable = new ArrayList<>();
    for (Entry e : entries) {
      if (!keep.contains(e.actor())) {
        droppable.add(e);
      }
    }
    droppable.sort(
        Comparator.comparingLong(Entry::lastUpdateMillis).thenComparing(Entry::actor));
    int toDrop = Math.min(entries.length - maxEntries, droppable.size());
    List<Entry> dropped = droppable.subList(0, toDrop);
    List<Entry> kept = new ArrayList<>(entries.length - toDrop);
    for (Entry e : entries) {
      if (!dropped.contains(e)) {
        kept.add(e);
      }
    }
    return new VersionVector(kept.toArray(new Entry[0]));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionVector v && Arrays.equals(entries, v.entries);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(entries);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (Entry e : entries) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(e.actor()).append('=').append(e.counter());
    }
    return sb.append('}').toString();
  }
}
