package io.ringkv.server.liveness;

import io.ringkv.server.replica.Peer;
import io.ringkv.server.replica.ReplicaDirectory;
import io.ringkv.version.VersionedObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Feeds the outcome of every call to a peer into the {@link FailureDetector}: a reply is an
 * arrival, a failure counts against the peer. The coordinator's calls are the detector's main
 * signal; probes only cover peers without traffic.
 */
public final class MonitoredDirectory implements ReplicaDirectory {

  private final ReplicaDirectory inner;
  private final FailureDetector detector;

  public MonitoredDirectory(ReplicaDirectory inner, FailureDetector detector) {
    this.inner = inner;
    this.detector = detector;
  }

  @Override
  public Peer peer(String nodeId) {
    Peer p = inner.peer(nodeId);
    return new Peer() {
      @Override
      public CompletableFuture<VersionedObject> read(byte[] key) {
        return watch(p.read(key));
      }

      @Override
      public CompletableFuture<VersionedObject> readHints(byte[] key, List<String> home) {
        return watch(p.readHints(key, home));
      }

      @Override
      public CompletableFuture<Void> merge(byte[] key, VersionedObject object) {
        return watch(p.merge(key, object));
      }

      @Override
      public CompletableFuture<Void> hint(byte[] key, VersionedObject object, String home) {
        return watch(p.hint(key, object, home));
      }

      @Override
      public CompletableFuture<byte[]> coordinatePut(byte[] key, byte[] v, byte[] ctx, int w) {
        return watch(p.coordinatePut(key, v, ctx, w));
      }

      @Override
      public CompletableFuture<Void> ping() {
        return watch(p.ping());
      }

      private <T> CompletableFuture<T> watch(CompletableFuture<T> call) {
        return call.whenComplete((ok, err) -> {
          if (err == null || answeredWithError(err)) {
            detector.success(nodeId);
          } else if (!timedOut(err)) {
            detector.failure(nodeId);
          }
          // A call past its deadline proves nothing on a loaded machine: it is simply no
          // arrival, and the accrual detector suspects a peer that stays silent.
        });
      }
    };
  }

  private static boolean timedOut(Throwable err) {
    Throwable t = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
        ? err.getCause() : err;
    return t instanceof io.ringkv.server.coordinator.KvException kv
        && kv.code() == io.ringkv.server.coordinator.KvException.Code.DEADLINE_EXCEEDED;
  }

  /** The peer answered, if only to refuse the request: it is alive. */
  private static boolean answeredWithError(Throwable err) {
    Throwable t = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
        ? err.getCause() : err;
    return t instanceof io.ringkv.server.coordinator.KvException kv && kv.answeredByPeer();
  }
}
