package io.ringkv.storage.rocksdb;

import io.ringkv.storage.Cursor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.AbstractNativeReference;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Filter;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WriteOptions;

/**
 * The production {@link StorageEngine}: one RocksDB database per node, one column family per
 * {@link Space}, the write-ahead log always on.
 *
 * <p>RocksDB frees native memory only when told to, and using a handle after it is freed crashes
 * the JVM instead of throwing. So every operation holds a read lock and checks {@code closed};
 * {@link #close()} takes the write lock, closes the cursors still open, then the column families,
 * the database and the options, in that order.
 */
public final class RocksDbStorageEngine implements StorageEngine {

  static {
    RocksLibrary.load();
  }

  private final Path dir;
  private final RocksDB db;
  private final Map<Space, ColumnFamilyHandle> families;
  private final List<ColumnFamilyHandle> allFamilies;
  /** Options, cache and filter, in creation order; closed in reverse after the database. */
  private final List<AbstractNativeReference> resources;
  private final WriteOptions bufferedWrites;
  private final WriteOptions syncWrites;
  private final Set<RocksCursor> openCursors = ConcurrentHashMap.newKeySet();
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed; // guarded by lock

  private RocksDbStorageEngine(
      Path dir,
      RocksDB db,
      List<ColumnFamilyHandle> allFamilies,
      List<AbstractNativeReference> resources,
      WriteOptions bufferedWrites,
      WriteOptions syncWrites) {
    this.dir = dir;
    this.db = db;
    this.allFamilies = List.copyOf(allFamilies);
    this.resources = List.copyOf(resources);
    this.bufferedWrites = bufferedWrites;
    this.syncWrites = syncWrites;
    this.families = new EnumMap<>(Space.class);
    // allFamilies.get(0) is "default", which RocksDB requires and ringkv does not use.
    Space[] spaces = Space.values();
    for (int i = 0; i < spaces.length; i++) {
      families.put(spaces[i], allFamilies.get(i + 1));
    }
  }

  /**
   * Opens (creating if needed) the database in {@code dir}. Fails with a {@link StorageException}
   * if the directory cannot be created or is locked by another open engine, in this process or
   * another.
   */
  public static RocksDbStorageEngine open(Path dir) {
    return open(dir, RocksTuning.memtableBytes(ThreadLocalRandom.current()));
  }

  /** As {@link #open(Path)}, with memtables of {@code writeBufferBytes} (0: RocksDB's 64 MiB). */
  static RocksDbStorageEngine open(Path dir, long writeBufferBytes) {
    Objects.requireNonNull(dir, "dir");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StorageException("cannot create RocksDB directory " + dir + ": " + e, e);
    }
    List<AbstractNativeReference> resources = new ArrayList<>();
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      Cache cache = own(resources, new LRUCache(RocksTuning.BLOCK_CACHE_BYTES));
      Filter bloom = own(resources, new BloomFilter(RocksTuning.BLOOM_BITS_PER_KEY));
      // Point reads dominate DATA; META is tiny and HINTS is mostly scanned: no filter there.
      ColumnFamilyOptions withBloom = own(resources, RocksTuning.columnFamilyOptions(cache, bloom,
          writeBufferBytes));
      ColumnFamilyOptions plain = own(resources, RocksTuning.columnFamilyOptions(cache, null,
          writeBufferBytes));
      DBOptions dbOptions = own(resources, RocksTuning.dbOptions());
      // The WAL is never disabled: BUFFERED relies on it to survive a process kill.
      WriteOptions buffered = own(resources, new WriteOptions().setSync(false));
      WriteOptions sync = own(resources, new WriteOptions().setSync(true));

      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, plain));
      for (Space space : Space.values()) {
        descriptors.add(
            new ColumnFamilyDescriptor(
                familyName(space), space == Space.DATA ? withBloom : plain));
      }
      RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
      return new RocksDbStorageEngine(dir, db, handles, resources, buffered, sync);
    } catch (RocksDBException e) {
      handles.forEach(ColumnFamilyHandle::close);
      closeAll(resources);
      if (isLockConflict(e)) {
        throw new StorageException(
            "cannot open RocksDB in " + dir + ": the directory is locked by another open engine"
                + " (in this or another process): " + e.getMessage(),
            e);
      }
      throw failure("open", dir, e);
    } catch (RuntimeException | Error e) {
      handles.forEach(ColumnFamilyHandle::close);
      closeAll(resources);
      throw e;
    }
  }

  @Override
  public byte[] get(Space space, byte[] key) {
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(key, "key");
    lock.readLock().lock();
    try {
      ensureOpen();
      return db.get(families.get(space), key); // JNI returns a fresh array: already a copy
    } catch (RocksDBException e) {
      throw failure("get", dir, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void write(WriteBatch batch, Durability durability) {
    Objects.requireNonNull(batch, "batch");
    Objects.requireNonNull(durability, "durability");
    lock.readLock().lock();
    try {
      ensureOpen();
      if (batch.isEmpty()) {
        return;
      }
      // The native batch copies keys and values, so the caller may reuse its arrays at once.
      try (org.rocksdb.WriteBatch rocksBatch = new org.rocksdb.WriteBatch()) {
        for (WriteBatch.Mutation m : batch.mutations()) {
          if (m.isDelete()) {
            rocksBatch.delete(families.get(m.space()), m.key());
          } else {
            rocksBatch.put(families.get(m.space()), m.key(), m.value());
          }
        }
        db.write(durability == Durability.SYNC ? syncWrites : bufferedWrites, rocksBatch);
      }
    } catch (RocksDBException e) {
      throw failure("write", dir, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
    Objects.requireNonNull(space, "space");
    lock.readLock().lock();
    try {
      ensureOpen();
      RocksCursor cursor = new RocksCursor(this, families.get(space), fromInclusive, toExclusive);
      openCursors.add(cursor);
      return cursor;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * RocksDB's own figures: its memory outside the JVM heap (memtables, block cache), its disk
   * and background work, and the write slowdowns that show up as request latency.
   */
  @Override
  public List<Statistic> statistics() {
    return List.of(
        new Statistic("memtables", "Memtables in memory: the one being written and those waiting"
            + " for their flush, all spaces", "bytes",
            () -> summed("rocksdb.cur-size-all-mem-tables")),
        new Statistic("block.cache", "Blocks in the block cache (data, index and filter blocks of"
            + " all spaces share it)", "bytes", () -> ofData("rocksdb.block-cache-usage")),
        new Statistic("block.cache.pinned", "Blocks of the block cache pinned in use (level-0"
            + " index and filter blocks, blocks being read)", "bytes",
            () -> ofData("rocksdb.block-cache-pinned-usage")),
        new Statistic("sst", "Live table files on disk, all spaces", "bytes",
            () -> summed("rocksdb.live-sst-files-size")),
        new Statistic("compaction.pending", "What compaction estimates it must rewrite to bring"
            + " every level within its target size, all spaces", "bytes",
            () -> summed("rocksdb.estimate-pending-compaction-bytes")),
        new Statistic("flushes.running", "Memtable flushes running now", null,
            () -> ofData("rocksdb.num-running-flushes")),
        new Statistic("compactions.running", "Compactions running now", null,
            () -> ofData("rocksdb.num-running-compactions")),
        new Statistic("level0.files", "Table files in level 0 of the data space (every read"
            + " looks in each; RocksDB slows writes at 20)", null,
            // Only a string property in RocksDB.
            () -> property(db -> Double.parseDouble(db.getProperty(
                families.get(Space.DATA), "rocksdb.num-files-at-level0").strip()))),
        new Statistic("writes.delayed", "1 while RocksDB slows writes down to let flushes and"
            + " compactions catch up, else 0", null,
            () -> Math.min(1, ofData("rocksdb.actual-delayed-write-rate"))),
        new Statistic("writes.stopped", "1 while RocksDB stops writes until a flush or compaction"
            + " finishes, else 0", null, () -> ofData("rocksdb.is-write-stopped")),
        new Statistic("keys", "Keys in the data space (RocksDB's estimate: a key overwritten"
            + " since its last compaction may count twice)", null,
            () -> ofData("rocksdb.estimate-num-keys")));
  }

  /** A property of the data space, or of the database as a whole. */
  private double ofData(String property) {
    return property(db -> db.getLongProperty(families.get(Space.DATA), property));
  }

  /** A property summed over all column families. */
  private double summed(String property) {
    return property(db -> db.getAggregatedLongProperty(property));
  }

  /** Reads a property under the read lock: NaN once closed, or if RocksDB will not say. */
  private double property(PropertyRead read) {
    lock.readLock().lock();
    try {
      return closed ? Double.NaN : read.from(db);
    } catch (RocksDBException | NumberFormatException e) {
      return Double.NaN;
    } finally {
      lock.readLock().unlock();
    }
  }

  @FunctionalInterface
  private interface PropertyRead {
    double from(RocksDB db) throws RocksDBException;
  }

  /** Idempotent. Closes the cursors still open; later calls on them fail. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      openCursors.forEach(RocksCursor::release);
      openCursors.clear();
      allFamilies.forEach(ColumnFamilyHandle::close);
      try {
        db.closeE();
      } catch (RocksDBException e) {
        throw failure("close", dir, e);
      } finally {
        closeAll(resources);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "RocksDbStorageEngine[" + dir + "]";
  }

  RocksDB db() {
    return db;
  }

  Path dir() {
    return dir;
  }

  ReadWriteLock lock() {
    return lock;
  }

  /** Caller holds the read lock. */
  void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("RocksDB storage engine in " + dir + " is closed");
    }
  }

  void forget(RocksCursor cursor) {
    openCursors.remove(cursor);
  }

  static StorageException failure(String operation, Path dir, RocksDBException e) {
    Status status = e.getStatus();
    String code = status == null ? "" : " [" + status.getCodeString() + "]";
    return new StorageException(
        "RocksDB " + operation + " failed in " + dir + code + ": " + e.getMessage(), e);
  }

  /** Column family names are on disk: spelled out so renaming a Space cannot orphan data. */
  private static byte[] familyName(Space space) {
    String name =
        switch (space) {
          case DATA -> "data";
          case META -> "meta";
          case HINTS -> "hints";
        };
    return name.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * RocksDB reports the lock on the directory's LOCK file as an I/O error: "lock hold by current
   * process" within one JVM, "While lock file: .../LOCK: Resource temporarily unavailable" across
   * processes. There is no dedicated status code, so the message is all there is to match.
   */
  private static boolean isLockConflict(RocksDBException e) {
    Status status = e.getStatus();
    String message = String.valueOf(e.getMessage());
    boolean ioError = status == null || status.getCode() == Status.Code.IOError;
    return ioError
        && (message.contains("lock hold by current process")
            || message.contains("While lock file"));
  }

  private static <T extends AbstractNativeReference> T own(
      List<AbstractNativeReference> resources, T resource) {
    resources.add(resource);
    return resource;
  }

  private static void closeAll(List<AbstractNativeReference> resources) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }
}
