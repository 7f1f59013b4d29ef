package io.ringkv.server.replica;

import io.ringkv.version.VersionedObject;
import java.util.concurrent.CompletableFuture;

/**
 * One replica of the data as the coordinator sees it, local or across the network: read a key's
 * object, or merge a version into it. Every call completes (or fails) without blocking the caller;
 * remote implementations bound it with a deadline.
 */
public interface Replica {

  /** The replica's object for {@code key} ({@link VersionedObject#EMPTY} if it has none). */
  CompletableFuture<VersionedObject> read(byte[] key);

  /** Merges {@code object} into the replica's copy; completes once it is stored. */
  CompletableFuture<Void> merge(byte[] key, VersionedObject object);
}
