package io.ringkv.sim;

import io.ringkv.server.replica.Peer;
import io.ringkv.server.replica.ReplicaDirectory;
import io.ringkv.version.VersionedObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A broken hinted handoff, for {@link MutationTest}: it deletes a hint before its delivery is
 * acknowledged. The handoff's merge into the node the hint was meant for reports success as soon
 * as it is sent, so the hint is deleted while the merge is still on the wire; a merge that is
 * then lost (dropped, partitioned, the target crashing first) takes the hint's versions with it.
 * With {@code deliver} off, the hint is deleted and never sent at all. The coordinator's own
 * merges and hints are correct.
 */
final class EarlyHintDeleteWiring implements Wiring {

  private final boolean deliver;

  /** {@code deliver}: send the merge after acknowledging it (else: drop it). */
  EarlyHintDeleteWiring(boolean deliver) {
    this.deliver = deliver;
  }

  @Override
  public ReplicaDirectory handoff(String node, ReplicaDirectory real) {
    return to -> early(real.peer(to));
  }

  private Peer early(Peer real) {
    return new Peer() {
      @Override
      public CompletableFuture<VersionedObject> read(byte[] key) {
        return real.read(key);
      }

      @Override
      public CompletableFuture<Void> merge(byte[] key, VersionedObject object) {
        if (deliver) {
          real.merge(key, object); // fire and forget: the bug
        }
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public CompletableFuture<VersionedObject> readHints(byte[] key, List<String> home) {
        return real.readHints(key, home);
      }

      @Override
      public CompletableFuture<Void> hint(byte[] key, VersionedObject object, String home) {
        return real.hint(key, object, home);
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
