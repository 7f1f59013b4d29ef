package io.ringkv.server.replica;

import io.ringkv.version.VersionedObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One replica of the data as the coordinator sees it, local or across the network. As a home
 * replica it reads and merges its own data; as a fallback (sloppy quorum) it holds versions as
 * hints for home replicas that are down, apart from its own data. Every call completes (or fails)
 * without blocking the caller; remote implementations bound it with a deadline.
 */
public interface Replica {

  /** The replica's own object for {@code key} ({@link VersionedObject#EMPTY} if none). */
  CompletableFuture<VersionedObject> read(byte[] key);

  /** What the replica holds as hints for {@code key} on behalf of {@code homeReplicas}, merged. */
  CompletableFuture<VersionedObject> readHints(byte[] key, List<String> homeReplicas);

  /** Merges {@code object} into the replica's own copy; completes once it is stored. */
  CompletableFuture<Void> merge(byte[] key, VersionedObject object);

  /**
   * Stores {@code object} as a hint for {@code homeReplica}, to be handed off when it is back;
   * completes once the hint is durable. Fails if the hint store is full.
   */
  CompletableFuture<Void> hint(byte[] key, VersionedObject object, String homeReplica);
}
