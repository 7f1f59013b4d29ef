package io.ringkv.server.replica;

import io.ringkv.storage.VersionedStore;
import io.ringkv.version.VersionedObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * This node's own replica: the {@link VersionedStore}, with every call run on the storage
 * executor so that disk work never runs on a network thread and callers never wait.
 */
public final class LocalReplica implements Replica {

  private final VersionedStore store;
  private final Executor storageExecutor;

  public LocalReplica(VersionedStore store, Executor storageExecutor) {
    this.store = store;
    this.storageExecutor = storageExecutor;
  }

  public VersionedStore store() {
    return store;
  }

  @Override
  public CompletableFuture<VersionedObject> read(byte[] key) {
    return CompletableFuture.supplyAsync(() -> store.get(key), storageExecutor);
  }

  @Override
  public CompletableFuture<Void> merge(byte[] key, VersionedObject object) {
    return CompletableFuture.runAsync(() -> store.merge(key, object), storageExecutor);
  }

  /** Atomically applies {@code change} to the stored object; see {@link VersionedStore#update}. */
  public CompletableFuture<VersionedObject> update(
      byte[] key, UnaryOperator<VersionedObject> change) {
    return CompletableFuture.supplyAsync(() -> store.update(key, change), storageExecutor);
  }
}
