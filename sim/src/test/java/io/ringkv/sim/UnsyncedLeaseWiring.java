package io.ringkv.sim;

import io.ringkv.storage.ForwardingStorageEngine;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A node identity that does not persist its dot counter's lease synchronously, for {@link
 * MutationTest}: the write that extends the lease (the only write of {@code NodeIdentity}'s
 * {@code dot-counter-lease} key) goes out buffered. With {@link SameBootWiring}'s blindness to
 * power cuts, a node whose cut took the lease restarts its counter below counters it already
 * issued, and issues the same dots again for other writes (kv679's reused dot).
 */
final class UnsyncedLeaseWiring extends SameBootWiring {

  private static final byte[] LEASE = "dot-counter-lease".getBytes(StandardCharsets.UTF_8);

  @Override
  public StorageEngine engine(String node, StorageEngine real) {
    return new ForwardingStorageEngine(real) {
      @Override
      public void write(WriteBatch batch, Durability durability) {
        boolean leaseOnly = batch.size() == 1
            && batch.mutations().get(0).space() == Space.META
            && Arrays.equals(batch.mutations().get(0).key(), LEASE);
        delegate.write(batch, leaseOnly ? Durability.BUFFERED : durability);
      }
    };
  }
}
