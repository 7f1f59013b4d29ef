package io.ringkv.storage;

import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * A node's local key-value engine: ordered byte keys in a few named spaces, atomic batches,
 * range scans. Knows nothing of versions; {@link VersionedStore} builds objects on top of it.
 *
 * <p>Two implementations pass one contract suite: {@code RocksDbStorageEngine} (production, one
 * column family per {@link Space}) and {@link InMemoryStorageEngine} (unit tests, simulation).
 * Calls block on disk I/O: callers keep them off network event loops.
 */
public interface StorageEngine extends AutoCloseable {

  /** The key spaces of a node. Keys compare as unsigned bytes within a space. */
  enum Space {
    /** Versioned objects the node stores as a replica. */
    DATA,
    /** Node metadata: epoch, ring, membership. */
    META,
    /** Versions held for another node (hinted handoff). Never served as the node's own. */
    HINTS
  }

  /** How far an acknowledged write has gone before {@link #write} returns. */
  enum Durability {
    /** In the write-ahead log in the OS page cache: survives a process kill, not a power cut. */
    BUFFERED,
    /** In the write-ahead log and fsynced: survives a power cut. */
    SYNC
  }

  /** The value stored under {@code key}, or {@code null}. */
  byte[] get(Space space, byte[] key);

  /** Applies every mutation of the batch or none of them. */
  void write(WriteBatch batch, Durability durability);

  /**
   * The entries of {@code space} with {@code fromInclusive <= key < toExclusive}, in key order.
   * A {@code null} bound is open. The cursor sees a consistent snapshot and must be closed.
   */
  Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive);

  /**
   * What an operator graphs about the engine: the memory it holds, the work it has queued, what
   * slows its writes. Each value is read when asked for (a metrics scrape), is {@code NaN} once the
   * engine is closed, and never waits for I/O. None by default.
   */
  default List<Statistic> statistics() {
    return List.of();
  }

  /**
   * One number about the engine: {@code name} dot-separated, without a prefix or the unit;
   * {@code baseUnit} "bytes", or null for a count.
   */
  record Statistic(String name, String description, String baseUnit, DoubleSupplier value) {}

  /** Releases the engine; later calls fail with {@link IllegalStateException}. */
  @Override
  void close();
}
