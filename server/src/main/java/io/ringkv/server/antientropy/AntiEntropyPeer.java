package io.ringkv.server.antientropy;

import io.ringkv.version.VersionedObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Another home replica as an exchange sees it: the calls of the exchange protocol. Production
 * implements it over gRPC ({@code ringkv.internal.v1.AntiEntropy}, with a deadline on every call),
 * the simulator over its network, and {@link AntiEntropy} itself answers it for this node. Every
 * call completes or fails, never hangs; a refusal (busy, not a home replica, tree not built) fails
 * with a {@code KvException} answered by the peer.
 */
public interface AntiEntropyPeer {

  /** Identifies one exchange: the peer holds a lease on the pair while it runs. */
  record ExchangeId(String initiator, long number) {}

  /**
   * The hashes of nodes {@code indices} of {@code level} (0: leaves) of the peer's tree of the
   * partition. {@code leaves} is the initiator's tree shape; a peer with another shape refuses.
   */
  CompletableFuture<long[]> hashes(ExchangeId id, int partition, int leaves, int level,
      int[] indices);

  /** A stored key and its hash ({@link MerkleTree#keyHash}). */
  record KeyHash(byte[] storageKey, long hash) {}

  /**
   * One page of the keys in the given leaves: in storage-key order, after {@code after} (a
   * storage key, or null to start), at most {@code maxKeys}. {@code truncated}: there may be more
   * after the last one.
   */
  record Page(List<KeyHash> keys, boolean truncated) {}

  CompletableFuture<Page> leafKeys(ExchangeId id, int partition, int leaves, int[] leafIndices,
      byte[] after, int maxKeys);

  /** A user key and an object. */
  record KeyObject(byte[] key, VersionedObject object) {}

  /** The peer's object after it merged what it was sent, and whether that changed it. */
  record Synced(VersionedObject object, boolean changed) {}

  /**
   * Merges each object into the peer's copy (by vector clock) and answers with the result, in
   * request order: both sides then hold the union.
   */
  CompletableFuture<List<Synced>> sync(ExchangeId id, int partition, List<KeyObject> objects);

  /** The exchange is over: the peer may release its lease on the pair. */
  CompletableFuture<Void> done(ExchangeId id, int partition);

  /** The peer's stored objects of the keys ({@link VersionedObject#EMPTY} if none), in order. */
  CompletableFuture<List<VersionedObject>> fetch(int partition, List<byte[]> keys);
}
