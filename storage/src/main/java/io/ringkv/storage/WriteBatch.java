package io.ringkv.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** Mutations applied atomically by {@link StorageEngine#write}. Not thread-safe while built. */
public final class WriteBatch {

  /** One put ({@code value != null}) or delete ({@code value == null}). */
  public record Mutation(StorageEngine.Space space, byte[] key, byte[] value) {
    public Mutation {
      Objects.requireNonNull(space, "space");
      Objects.requireNonNull(key, "key");
    }

    public boolean isDelete() {
      return value == null;
    }
  }

  private final List<Mutation> mutations = new ArrayList<>(4);

  public WriteBatch put(StorageEngine.Space space, byte[] key, byte[] value) {
    mutations.add(new Mutation(space, key, Objects.requireNonNull(value, "value")));
    return this;
  }

  public WriteBatch delete(StorageEngine.Space space, byte[] key) {
    mutations.add(new Mutation(space, key, null));
    return this;
  }

  public List<Mutation> mutations() {
    return Collections.unmodifiableList(mutations);
  }

  public boolean isEmpty() {
    return mutations.isEmpty();
  }

  public int size() {
    return mutations.size();
  }
}
