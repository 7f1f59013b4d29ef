package io.ringkv.sim;

import io.ringkv.server.transfer.Transfers;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A broken data transfer, for {@link MutationTest}: a node receiving a partition when the ring
 * changes marks the handover done without pulling anything (every fetch "answers" an empty last
 * batch at once, and nothing goes over the network). Writes made during the change still reach
 * the new home replica (forwarded), but what the partition held before never does, so once the
 * change commits a new home replica misses writes that the replica it displaced held.
 */
final class NoPullTransferWiring implements Wiring {

  @Override
  public Transfers.Source fetch(String node, Transfers.Source real) {
    return (from, partition, afterKey, maxBytes, version) ->
        CompletableFuture.completedFuture(new Transfers.Batch(List.of(), true));
  }
}
