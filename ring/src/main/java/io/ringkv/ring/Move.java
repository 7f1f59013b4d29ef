package io.ringkv.ring;

import java.util.Objects;

/**
 * One partition changing hands between two rings: the data of {@code partition} must be copied from
 * {@code from} to {@code to}. Produced by {@link Ring#diff(Ring, Ring)}.
 */
public record Move(int partition, String from, String to) {

  public Move {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0: " + partition);
    }
    if (from.equals(to)) {
      throw new IllegalArgumentException("a move needs two different nodes: " + from);
    }
  }

  @Override
  public String toString() {
    return "partition " + partition + ": " + from + " -> " + to;
  }
}
