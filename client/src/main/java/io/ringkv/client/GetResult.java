package io.ringkv.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What a read saw: every causally concurrent version (sibling) of the key, and one context that
 * covers all of them. No values means not found (never written, or deleted); the context may still
 * be non-empty then (a deletion's history), and a write should pass it on.
 *
 * <p>Immutable: the constructor copies the arrays, the list is unmodifiable, and callers must not
 * modify the arrays it returns. Equal by content.
 *
 * @param values the siblings, in the order the server returned them
 * @param context pass it to the next write of this key so it supersedes these values
 */
public record GetResult(List<byte[]> values, Context context) {

  public GetResult {
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(context, "context");
    List<byte[]> copy = new ArrayList<>(values.size());
    for (byte[] value : values) {
      copy.add(Objects.requireNonNull(value, "value").clone());
    }
    values = Collections.unmodifiableList(copy);
  }

  /** Whether the key has at least one live value. */
  public boolean found() {
    return !values.isEmpty();
  }

  /** Whether the key has more than one concurrent value, which the application must resolve. */
  public boolean hasSiblings() {
    return values.size() > 1;
  }

  /** The values decoded as UTF-8 (malformed input is replaced, as by {@code new String}). */
  public List<String> stringValues() {
    return values.stream().map(v -> new String(v, StandardCharsets.UTF_8)).toList();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof GetResult other) || other.values.size() != values.size()) {
      return false;
    }
    for (int i = 0; i < values.size(); i++) {
      if (!Arrays.equals(values.get(i), other.values.get(i))) {
        return false;
      }
    }
    return context.equals(other.context);
  }

  @Override
  public int hashCode() {
    int hash = context.hashCode();
    for (byte[] value : values) {
      hash = 31 * hash + Arrays.hashCode(value);
    }
    return hash;
  }

  @Override
  public String toString() {
    return "GetResult[values=" + stringValues() + ", context=" + context + "]";
  }
}
