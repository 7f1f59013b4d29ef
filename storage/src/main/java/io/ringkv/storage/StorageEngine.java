package io.ringkv.storage;

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

  /** Releases the engine; later calls fail with {@link IllegalStateException}. */
  @Override
  void close();
}
