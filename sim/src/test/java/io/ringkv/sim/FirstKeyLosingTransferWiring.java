package io.ringkv.sim;

import io.ringkv.server.transfer.Transfers;
import java.util.concurrent.CompletableFuture;

/**
 * A broken data transfer, for {@link MutationTest}: a node serving a partition to its new home
 * replica leaves out the first key of every batch, as an off-by-one in the scan's resume point
 * would (starting after the first key instead of at it). With a few keys per partition, most
 * batches are one key, so the receiver misses most of what it should hold.
 */
final class FirstKeyLosingTransferWiring implements Wiring {

  @Override
  public CompletableFuture<Transfers.Batch> serve(String node, Transfers real, int partition,
      byte[] afterKey, int maxBytes, long pendingRingVersion) {
    return real.serve(partition, afterKey, maxBytes, pendingRingVersion).thenApply(b ->
        b.entries().isEmpty() ? b
            : new Transfers.Batch(b.entries().subList(1, b.entries().size()), b.done()));
  }
}
