package io.ringkv.storage;

import io.ringkv.version.Actor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Who this node is in version vectors, persisted with its data: the node id, an epoch drawn when
 * the data directory is first used, and a node-wide dot counter that never goes backwards.
 *
 * <p>The counter is leased in blocks: the upper end of the current block is persisted (synced)
 * before any counter in it is issued, and a restart resumes above it. So no dot is ever issued
 * twice by one actor, even for a key whose clock entry was truncated.
 */
public final class NodeIdentity {

  static final long LEASE_BLOCK = 1 << 20;
  private static final byte[] NODE_ID_KEY = "node-id".getBytes(StandardCharsets.UTF_8);
  private static final byte[] EPOCH_KEY = "epoch".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LEASE_KEY = "dot-counter-lease".getBytes(StandardCharsets.UTF_8);

  private final StorageEngine engine;
  private final Actor actor;
  private final AtomicLong counter;
  private volatile long leasedUpTo;

  private NodeIdentity(StorageEngine engine, Actor actor, long counterStart, long leasedUpTo) {
    this.engine = engine;
    this.actor = actor;
    this.counter = new AtomicLong(counterStart);
    this.leasedUpTo = leasedUpTo;
  }

  /**
   * Loads the identity stored in {@code engine}, or creates one for {@code nodeId} with a random
   * epoch. A data directory that belongs to another node id is refused.
   */
  public static NodeIdentity loadOrCreate(
      StorageEngine engine, String nodeId, RandomGenerator random) {
    byte[] storedId = engine.get(StorageEngine.Space.META, NODE_ID_KEY);
    long epoch;
    long lease;
    if (storedId == null) {
      epoch = random.nextLong() & Long.MAX_VALUE;
      lease = 0;
      engine.write(
          new WriteBatch()
              .put(StorageEngine.Space.META, NODE_ID_KEY, nodeId.getBytes(StandardCharsets.UTF_8))
              .put(StorageEngine.Space.META, EPOCH_KEY, longBytes(epoch))
              .put(StorageEngine.Space.META, LEASE_KEY, longBytes(0)),
          StorageEngine.Durability.SYNC);
    } else {
      String id = new String(storedId, StandardCharsets.UTF_8);
      if (!id.equals(nodeId)) {
        throw new StorageException(
            "data directory belongs to node '" + id + "', not '" + nodeId + "'");
      }
      epoch = readLong(engine, EPOCH_KEY);
      lease = readLong(engine, LEASE_KEY);
    }
    NodeIdentity identity = new NodeIdentity(engine, new Actor(nodeId, epoch), lease, lease);
    return identity;
  }

  public Actor actor() {
    return actor;
  }

  /** A counter above every one issued before, in this life of the node or an earlier one. */
  public long nextCounterFloor() {
    long c = counter.incrementAndGet();
    if (c > leasedUpTo) {
      extendLease(c);
    }
    return c;
  }

  private synchronized void extendLease(long needed) {
    if (needed <= leasedUpTo) {
      return;
    }
    long next = needed + LEASE_BLOCK;
    engine.write(
        new WriteBatch().put(StorageEngine.Space.META, LEASE_KEY, longBytes(next)),
        StorageEngine.Durability.SYNC);
    leasedUpTo = next;
  }

  private static long readLong(StorageEngine engine, byte[] key) {
    byte[] b = engine.get(StorageEngine.Space.META, key);
    if (b == null || b.length != 8) {
      throw new StorageException("node metadata '" + new String(key, StandardCharsets.UTF_8)
          + "' is missing or corrupt");
    }
    return ByteBuffer.wrap(b).getLong();
  }

  private static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }
}
