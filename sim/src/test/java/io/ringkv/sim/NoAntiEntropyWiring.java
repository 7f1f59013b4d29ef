package io.ringkv.sim;

import io.ringkv.server.antientropy.AntiEntropyPeer;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.version.VersionedObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Anti-entropy switched off, for {@link MutationTest}: every node refuses every other node's
 * exchange (as a node with {@code anti-entropy.enabled: false} does), so replicas that diverged
 * (a hint refused by a full hint store, a lost disk) stay diverged until a read repairs them.
 */
final class NoAntiEntropyWiring implements Wiring {

  @Override
  public AntiEntropyPeer antiEntropyPeer(String from, String to, AntiEntropyPeer real) {
    return new AntiEntropyPeer() {
      private <T> CompletableFuture<T> refused() {
        return CompletableFuture.failedFuture(new KvException(
            KvException.Code.FAILED_PRECONDITION, "anti-entropy is disabled on " + to, true));
      }

      @Override
      public CompletableFuture<long[]> hashes(ExchangeId id, int partition, int leaves,
          int level, int[] indices) {
        return refused();
      }

      @Override
      public CompletableFuture<Page> leafKeys(ExchangeId id, int partition, int leaves,
          int[] leafIndices, byte[] after, int maxKeys) {
        return refused();
      }

      @Override
      public CompletableFuture<List<Synced>> sync(ExchangeId id, int partition,
          List<KeyObject> objects) {
        return refused();
      }

      @Override
      public CompletableFuture<Void> done(ExchangeId id, int partition) {
        return refused();
      }

      @Override
      public CompletableFuture<List<VersionedObject>> fetch(int partition, List<byte[]> keys) {
        return refused();
      }
    };
  }
}
