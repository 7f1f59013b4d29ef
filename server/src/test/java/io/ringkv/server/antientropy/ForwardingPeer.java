package io.ringkv.server.antientropy;

import io.ringkv.version.VersionedObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A peer that passes every call on; tests override what they break. */
class ForwardingPeer implements AntiEntropyPeer {

  final AntiEntropyPeer real;

  ForwardingPeer(AntiEntropyPeer real) {
    this.real = real;
  }

  @Override
  public CompletableFuture<long[]> hashes(ExchangeId id, int partition, int leaves, int level,
      int[] indices) {
    return real.hashes(id, partition, leaves, level, indices);
  }

  @Override
  public CompletableFuture<Page> leafKeys(ExchangeId id, int partition, int leaves,
      int[] leafIndices, byte[] after, int maxKeys) {
    return real.leafKeys(id, partition, leaves, leafIndices, after, maxKeys);
  }

  @Override
  public CompletableFuture<List<Synced>> sync(ExchangeId id, int partition,
      List<KeyObject> objects) {
    return real.sync(id, partition, objects);
  }

  @Override
  public CompletableFuture<Void> done(ExchangeId id, int partition) {
    return real.done(id, partition);
  }

  @Override
  public CompletableFuture<List<VersionedObject>> fetch(int partition, List<byte[]> keys) {
    return real.fetch(partition, keys);
  }
}
