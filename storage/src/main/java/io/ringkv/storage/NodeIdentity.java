package io.ringkv.storage;

import io.ringkv.version.Actor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Who this node is in version vectors, persisted with its data: the node id, an epoch drawn when
 * the data directory is first used (and again after a power cut may have lost writes, below),
 * and a node-wide dot counter that never goes backwards.
 *
 * <p>The counter is leased in blocks: the upper end of the current block is persisted (synced)
 * before any counter in it is issued, and a restart resumes above it. So no dot is ever issued
 * twice by one actor, even for a key whose clock entry was truncated.
 *
 * <p>A new epoch after a power cut. With buffered writes ({@code storage.sync-writes: false}) a
 * power cut loses the writes the engine had not synced, among them writes this node coordinated
 * and other replicas still hold. Its next write of such a key would carry a counter above the
 * lost one (the lease sees to that), and a version vector entry covers every lower counter of its
 * actor: the other replicas would take the lost write as seen and superseded, and drop it, though
 * no client ever saw it. This is the second way to Riak's kv679 data loss: not a dot issued
 * twice (the lease prevents that), but a counter that jumps over dots the node no longer holds.
 * So a node whose machine restarted since the node last started (its boot id changed: a power
 * cut, a kernel crash, a reboot) and whose writes are buffered takes a new epoch, a new actor,
 * before it issues anything: its new writes then cover none of the old actor's. A process that was only killed keeps its actor: the page
 * cache kept every write. With synced writes nothing it acknowledged can be lost, and it keeps
 * its actor too.
 */
public final class NodeIdentity {

  static final long LEASE_BLOCK = 1 << 20;
  private static final byte[] NODE_ID_KEY = "node-id".getBytes(StandardCharsets.UTF_8);
  private static final byte[] EPOCH_KEY = "epoch".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LEASE_KEY = "dot-counter-lease".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BOOT_KEY = "boot-id".getBytes(StandardCharsets.UTF_8);

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
   *
   * @param bootId the identity of this boot of the machine ({@link BootId#current()}): a node
   *     whose previous start was under another boot id takes a new epoch if {@code writes} is
   *     {@link StorageEngine.Durability#BUFFERED}, since the machine's restart may have lost
   *     writes it had not synced
   * @param writes how the node writes its data and hints
   */
  public static NodeIdentity loadOrCreate(StorageEngine engine, String nodeId,
      RandomGenerator random, String bootId, StorageEngine.Durability writes) {
    byte[] storedId = engine.get(StorageEngine.Space.META, NODE_ID_KEY);
    byte[] boot = bootId.getBytes(StandardCharsets.UTF_8);
    long epoch;
    long lease;
    if (storedId == null) {
      epoch = newEpoch(random);
      lease = 0;
      engine.write(
          new WriteBatch()
              .put(StorageEngine.Space.META, NODE_ID_KEY, nodeId.getBytes(StandardCharsets.UTF_8))
              .put(StorageEngine.Space.META, EPOCH_KEY, longBytes(epoch))
              .put(StorageEngine.Space.META, LEASE_KEY, longBytes(0))
              .put(StorageEngine.Space.META, BOOT_KEY, boot),
          StorageEngine.Durability.SYNC);
    } else {
      String id = new String(storedId, StandardCharsets.UTF_8);
      if (!id.equals(nodeId)) {
        throw new StorageException(
            "data directory belongs to node '" + id + "', not '" + nodeId + "'");
      }
      epoch = readLong(engine, EPOCH_KEY);
      lease = readLong(engine, LEASE_KEY);
      // A directory from before boot ids were kept counts as written under another boot.
      boolean sameBoot = Arrays.equals(boot,
          engine.get(StorageEngine.Space.META, BOOT_KEY));
      if (!sameBoot) {
        WriteBatch batch = new WriteBatch().put(StorageEngine.Space.META, BOOT_KEY, boot);
        if (writes == StorageEngine.Durability.BUFFERED) {
          long previous = epoch;
          do {
            epoch = newEpoch(random);
          } while (epoch == previous);
          batch.put(StorageEngine.Space.META, EPOCH_KEY, longBytes(epoch));
        }
        // Synced before any dot of the new epoch is issued: a second power cut cannot bring the
        // old epoch back.
        engine.write(batch, StorageEngine.Durability.SYNC);
      }
    }
    return new NodeIdentity(engine, new Actor(nodeId, epoch), lease, lease);
  }

  private static long newEpoch(RandomGenerator random) {
    return random.nextLong() & Long.MAX_VALUE;
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
