package io.ringkv.server.replica;

import io.ringkv.env.Clock;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.VersionedObject;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * This node's own replica: the {@link VersionedStore} of its data and the {@link HintStore} of
 * what it holds for others, with every call run on the storage executor so that disk work never
 * runs on a network thread and callers never wait.
 */
public final class LocalReplica implements Replica {

  private final VersionedStore store;
  private final HintStore hints;
  private final Executor storageExecutor;
  private final Clock clock;

  private volatile BiConsumer<byte[], VersionedObject> writes = (key, stored) -> {};

  public LocalReplica(VersionedStore store, HintStore hints, Executor storageExecutor, Clock clock) {
    this.store = store;
    this.hints = hints;
    this.storageExecutor = storageExecutor;
    this.clock = clock;
  }

  public VersionedStore store() {
    return store;
  }

  public HintStore hints() {
    return hints;
  }

  public Executor storageExecutor() {
    return storageExecutor;
  }

  @Override
  public CompletableFuture<VersionedObject> read(byte[] key) {
    return CompletableFuture.supplyAsync(() -> store.get(key), storageExecutor);
  }

  @Override
  public CompletableFuture<VersionedObject> readHints(byte[] key, List<String> homeReplicas) {
    return CompletableFuture.supplyAsync(() -> {
      VersionedObject merged = VersionedObject.EMPTY;
      for (String node : homeReplicas) {
        merged = merged.merge(hints.get(node, key));
      }
      return merged;
    }, storageExecutor);
  }

  /**
   * Told of every write to this node's own data (not hints), with the object as stored, on the
   * storage thread that made it: data transfer forwards writes to a partition's new home replica.
   * Must not block.
   */
  public void onWrite(BiConsumer<byte[], VersionedObject> listener) {
    this.writes = listener;
  }

  @Override
  public CompletableFuture<Void> merge(byte[] key, VersionedObject object) {
    return CompletableFuture.runAsync(() -> written(key, store.merge(key, object)),
        storageExecutor);
  }

  private VersionedObject written(byte[] key, VersionedObject stored) {
    writes.accept(key, stored);
    return stored;
  }

  @Override
  public CompletableFuture<Void> hint(byte[] key, VersionedObject object, String homeReplica) {
    return CompletableFuture.runAsync(
        () -> hints.merge(homeReplica, key, object, clock.wallMillis()), storageExecutor);
  }

  /** Atomically applies {@code change} to the stored object; see {@link VersionedStore#update}. */
  public CompletableFuture<VersionedObject> update(
      byte[] key, UnaryOperator<VersionedObject> change) {
    return CompletableFuture.supplyAsync(() -> written(key, store.update(key, change)),
        storageExecutor);
  }
}
