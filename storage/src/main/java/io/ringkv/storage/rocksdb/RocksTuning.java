package io.ringkv.storage.rocksdb;

import java.util.random.RandomGenerator;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.Filter;

/**
 * The RocksDB options of a ringkv node, in one place. Deliberately modest: sized for a node that
 * shares its machine with a JVM heap, and not yet configurable, because no measurement has asked
 * for a knob. The callers own (and close) every native object returned.
 */
final class RocksTuning {

  private RocksTuning() {}

  /** One budget for data, index and filter blocks of all column families. */
  static final long BLOCK_CACHE_BYTES = 64L << 20;
  /** About 1% false positives: a get of a key the replica does not hold rarely touches disk. */
  static final double BLOOM_BITS_PER_KEY = 10;
  /** Flushes and compactions share these threads; capped so they do not starve request handling. */
  static final int MAX_BACKGROUND_JOBS =
      Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
  /**
   * A WAL file is deleted (or recycled) only once every column family with data in it has
   * flushed. Atomic flush (below) flushes them together; this cap is the backstop.
   */
  static final long MAX_TOTAL_WAL_BYTES = 256L << 20;
  /**
   * WAL files kept for reuse instead of deleted. Appending to a fresh log file makes the file
   * system allocate and zero a new block every few writes (ext4: {@code ext4_da_write_begin},
   * {@code zero_user_segments}); in a node's profile under YCSB that was two thirds of the WAL's
   * {@code write} system call and 7% of the node's CPU. A recycled file is overwritten in place:
   * its blocks exist and are usually still in the page cache. Recovery tells a recycled file's
   * old records from new ones by the log number in each record (RocksDB's recyclable record
   * format); it is compatible with the default point-in-time recovery mode, which ringkv uses.
   */
  static final int RECYCLED_WAL_FILES = 4;

  /** The largest memtable: RocksDB's default. */
  static final long MAX_MEMTABLE_BYTES = 64L << 20;
  /** How much smaller than {@link #MAX_MEMTABLE_BYTES} a node's memtables may be. */
  static final long MEMTABLE_SPREAD_BYTES = 8L << 20;

  /**
   * A node's memtable size: 56 to 64 MiB, drawn anew each time the engine opens. Replicas that
   * hold the same data (every node, in a cluster of N nodes) receive the same writes; with
   * memtables of one size they switch memtables and flush at the same moment, every node's
   * request path slows at once, and no quorum can go around it. Under YCSB the three nodes
   * switched within 10 ms of each other every 15 s, and the seconds around those switches held
   * most of the calls over 20 ms (docs/BENCHMARKS.md, session 12). Memtables of different sizes
   * fill at different times, so a flush mostly slows one replica while the other two answer.
   */
  static long memtableBytes(RandomGenerator random) {
    return MAX_MEMTABLE_BYTES - random.nextLong(MEMTABLE_SPREAD_BYTES);
  }

  /**
   * @param writeBufferBytes the memtable size, 0 for RocksDB's default (64 MiB); tests use a
   *     small one to switch WAL files (and so recycle them) after a few hundred writes
   */
  static ColumnFamilyOptions columnFamilyOptions(Cache cache, Filter filter,
      long writeBufferBytes) {
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setBlockCache(cache)
            // Index and filter blocks count against the cache instead of growing outside it;
            // level 0's are consulted by every read, so they are pinned against eviction.
            .setCacheIndexAndFilterBlocks(true)
            .setPinL0FilterAndIndexBlocksInCache(true);
    if (filter != null) {
      table.setFilterPolicy(filter);
    }
    // LZ4 on every level: a fraction of ZSTD's CPU cost, so compaction keeps up with writes.
    ColumnFamilyOptions options = new ColumnFamilyOptions()
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setTableFormatConfig(table);
    if (writeBufferBytes > 0) {
      options.setWriteBufferSize(writeBufferBytes);
    }
    return options;
  }

  static DBOptions dbOptions() {
    return new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(MAX_BACKGROUND_JOBS)
        .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES)
        .setRecycleLogFileNum(RECYCLED_WAL_FILES)
        // Every flush flushes all column families, so a WAL file is free as soon as DATA's
        // memtable is flushed. Otherwise META and HINTS, written rarely, keep the first WAL file
        // alive until MAX_TOTAL_WAL_BYTES forces them out: a node under YCSB wrote 256 MiB into
        // fresh WAL files for its first 3.5 minutes and recycled none, and the file system's
        // zeroing of new blocks was 5.5% of its CPU. The price: small META and HINTS tables on
        // each flush, which compaction merges.
        .setAtomicFlush(true)
        // Sync data files in 1 MiB steps so compaction output does not stall on one huge fsync.
        .setBytesPerSync(1L << 20)
        // The same for the WAL. Without it the kernel holds most of a memtable's worth of log
        // (64 MiB) dirty until the flush syncs the closed log file: under YCSB that sync took 80
        // to 625 ms, on all three replicas at once (they apply the same writes, so they switch
        // memtables within milliseconds of each other), and a burst of slow calls came with each;
        // started in 1 MiB steps as it is written, the sync takes tens of ms (BENCHMARKS.md,
        // session 12). The writes themselves stay buffered (sync_file_range only starts
        // writeback).
        .setWalBytesPerSync(1L << 20)
        // RocksDB's own info LOG files: bounded, they are for diagnosis only.
        .setMaxLogFileSize(16L << 20)
        .setKeepLogFileNum(4);
  }
}
