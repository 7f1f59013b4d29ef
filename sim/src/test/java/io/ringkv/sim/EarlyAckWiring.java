package io.ringkv.sim;

import io.ringkv.server.replica.Peer;
import io.ringkv.version.VersionedObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A broken coordinator, for {@link MutationTest}: it counts a replica's write acknowledgement as
 * soon as it has sent the merge, not when the replica answers, so it acknowledges a put before W
 * replicas have stored it. The merge is still sent, and may be lost like any message.
 */
final class EarlyAckWiring implements Wiring {

  @Override
  public Peer peer(String from, String to, Peer real) {
    return new Peer() {
      @Override
      public CompletableFuture<VersionedObject> read(byte[] key) {
        return real.read(key);
      }

      @Override
      public CompletableFuture<Void> merge(byte[] key, VersionedObject object) {
        real.merge(key, object); // fire and forget: the bug
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletableFuture<VersionedObject> readHints(byte[] key, List<String> home) {
        return real.readHints(key, home);
      }

      @Override
      public CompletableFuture<Void> hint(byte[] key, VersionedObject object, String home) {
        real.hint(key, object, home); // the same bug for a fallback's copy
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletableFuture<Void> ping() {
        return real.ping();
      }

      @Override
      public CompletableFuture<byte[]> coordinatePut(
          byte[] key, byte[] value, byte[] context, int w) {
        return real.coordinatePut(key, value, context, w);
      }
    };
  }
}
