package io.ringkv.version;

import java.util.Arrays;
import java.util.Objects;

/**
 * One concurrent version of an object: a value (or a tombstone, {@code value == null}) and the dot
 * of the write that made it. Two siblings with the same dot are the same write.
 */
public record Sibling(Dot dot, byte[] value, long timestampMillis) {

  public Sibling {
    Objects.requireNonNull(dot, "dot");
  }

  public static Sibling tombstone(Dot dot, long timestampMillis) {
    return new Sibling(dot, null, timestampMillis);
  }

  public boolean isTombstone() {
    return value == null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sibling s
        && dot.equals(s.dot)
        && timestampMillis == s.timestampMillis
        && Arrays.equals(value, s.value);
  }

  @Override
  public int hashCode() {
    return dot.hashCode() * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return dot + (value == null ? "(tombstone)" : "(" + value.length + " bytes)");
  }
}
