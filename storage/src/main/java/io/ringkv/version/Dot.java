package io.ringkv.version;

import java.util.Objects;

/** One write event: the {@code counter}-th event of {@code actor}. Identifies a sibling. */
public record Dot(Actor actor, long counter) implements Comparable<Dot> {

  public Dot {
    Objects.requireNonNull(actor, "actor");
    if (counter < 1) {
      throw new IllegalArgumentException("dot counter must be positive: " + counter);
    }
  }

  @Override
  public int compareTo(Dot o) {
    int c = actor.compareTo(o.actor);
    return c != 0 ? c : Long.compare(counter, o.counter);
  }

  @Override
  public String toString() {
    return actor + ":" + counter;
  }
}
