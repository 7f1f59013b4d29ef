package io.ringkv.storage.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.ringkv.storage.TestBytes.b;
import static io.ringkv.storage.TestBytes.number;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.ringkv.storage.Cursor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngine.Durability;
import io.ringkv.storage.StorageEngine.Space;
import io.ringkv.storage.StorageEngineContract;
import io.ringkv.storage.StorageException;
import io.ringkv.storage.WriteBatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbStorageEngineTest extends StorageEngineContract {

  @TempDir Path dir;

  @Override
  protected StorageEngine newEngine() {
    return RocksDbStorageEngine.open(dir.resolve("db"));
  }

  @Override
  protected boolean supportsReopen() {
    return true;
  }

  @Override
  protected StorageEngine reopen() {
    return RocksDbStorageEngine.open(dir.resolve("db"));
  }

  /**
   * The figures an operator graphs follow what the engine holds: writes fill the memtables,
   * flushes turn them into table files, reads fill the block cache; a closed engine reports NaN
   * instead of stale numbers (or a crash in native code).
   */
  @Test
  void statisticsFollowWhatTheEngineHolds() {
    StorageEngine engine = RocksDbStorageEngine.open(dir.resolve("stats"), 256 << 10);
    Map<String, DoubleSupplier> stats = new HashMap<>();
    engine.statistics().forEach(s -> stats.put(s.name(), s.value()));
    assertThat(stats).containsKeys("memtables", "block.cache", "sst", "compaction.pending",
        "flushes.running", "compactions.running", "level0.files", "writes.delayed",
        "writes.stopped", "keys");
    stats.forEach((name, value) -> assertThat(value.getAsDouble()).as(name).isNotNaN());
    assertThat(stats.get("sst").getAsDouble()).isZero();

    // Incompressible values, so that table files are as large as what was written.
    java.util.Random random = new java.util.Random(2000);
    byte[] value = new byte[1024];
    for (int i = 0; i < 2000; i++) {
      random.nextBytes(value);
      engine.write(new WriteBatch().put(Space.DATA, number(i), value), Durability.BUFFERED);
    }
    assertThat(stats.get("memtables").getAsDouble()).isPositive();
    // 2 MB written into 256 KiB memtables: flushed into table files in the background.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(stats.get("sst").getAsDouble()).isGreaterThan(1 << 20));
    assertThat(stats.get("keys").getAsDouble()).isCloseTo(2000, within(200.0));
    for (int i = 0; i < 2000; i += 10) {
      assertThat(engine.get(Space.DATA, number(i))).hasSize(1024);
    }
    assertThat(stats.get("block.cache").getAsDouble()).isPositive();
    assertThat(stats.get("writes.stopped").getAsDouble()).isZero();
    assertThat(stats.get("level0.files").getAsDouble()).isBetween(0.0, 20.0);

    engine.close();
    stats.forEach((name, value1) -> assertThat(value1.getAsDouble()).as(name).isNaN());
  }

  /**
   * Replicas that hold the same data must not fill their memtables at the same write: two engines
   * (two nodes) get memtables of different sizes within RocksTuning's 56-64 MiB, as RocksDB
   * itself records them in the OPTIONS file it writes on open.
   */
  @Test
  void enginesOpenedForTwoNodesFlushAtDifferentMemtableSizes() throws IOException {
    long[] sizes = new long[2];
    for (int i = 0; i < 2; i++) {
      Path node = dir.resolve("node" + i);
      try (StorageEngine e = RocksDbStorageEngine.open(node)) {
        e.write(new WriteBatch().put(Space.DATA, b(1), b(1)), Durability.BUFFERED);
      }
      try (var files = Files.list(node)) {
        Path options = files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-"))
            .max(Path::compareTo).orElseThrow();
        // One write_buffer_size line per column family; all of a node's are the same.
        long[] perFamily = Files.readAllLines(options).stream().map(String::strip)
            .filter(l -> l.startsWith("write_buffer_size="))
            .mapToLong(l -> Long.parseLong(l.substring("write_buffer_size=".length())))
            .distinct().toArray();
        assertThat(perFamily).hasSize(1);
        sizes[i] = perFamily[0];
      }
    }
    assertThat(sizes[0]).isBetween(56L << 20, 64L << 20);
    assertThat(sizes[1]).isBetween(56L << 20, 64L << 20);
    // Equal with probability 1 in 8 Mi.
    assertThat(sizes[0]).isNotEqualTo(sizes[1]);
  }

  @Test
  void dataSurvivesReopen() {
    engine.write(new WriteBatch().put(Space.DATA, io.ringkv.storage.TestBytes.b(1), io.ringkv.storage.TestBytes.b(1)).put(Space.HINTS, io.ringkv.storage.TestBytes.b(2), io.ringkv.storage.TestBytes.b(2)), Durability.BUFFERED);
    engine.write(new WriteBatch().put(Space.META, io.ringkv.storage.TestBytes.b(3), io.ringkv.storage.TestBytes.b(3)).delete(Space.DATA, io.ringkv.storage.TestBytes.b(1)), Durability.SYNC);
    engine.close();
    engine = reopen();
    assertThat(engine.get(Space.DATA, io.ringkv.storage.TestBytes.b(1))).isNull();
    assertThat(engine.get(Space.HINTS, io.ringkv.storage.TestBytes.b(2))).containsExactly(2);
    assertThat(engine.get(Space.META, io.ringkv.storage.TestBytes.b(3))).containsExactly(3);
  }

  @Test
  void manyKeysInEverySpaceSurviveCloseAndReopen() {
    int keys = 5_000;
    for (int i = 0; i < keys; i += 100) {
      WriteBatch batch = new WriteBatch();
      for (int j = i; j < i + 100; j++) {
        for (Space space : Space.values()) {
          batch.put(space, AckingWriter.key(j), AckingWriter.value(j + space.ordinal()));
        }
      }
      engine.write(batch, i % 1_000 == 0 ? Durability.SYNC : Durability.BUFFERED);
    }
    engine.close();
    engine = reopen();
    for (Space space : Space.values()) {
      int seen = 0;
      try (Cursor cursor = engine.scan(space, null, null)) {
        while (cursor.hasNext()) {
          Cursor.Entry entry = cursor.next();
          assertThat(entry.key()).isEqualTo(AckingWriter.key(seen));
          assertThat(entry.value()).isEqualTo(AckingWriter.value(seen + space.ordinal()));
          seen++;
        }
      }
      assertThat(seen).as("keys in %s", space).isEqualTo(keys);
    }
  }

  @Test
  void aSecondOpenOfTheSameDirectoryFailsUntilTheFirstCloses() {
    Path db = dir.resolve("db");
    assertThatThrownBy(() -> RocksDbStorageEngine.open(db))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("locked by another open engine")
        .hasMessageContaining(db.toString());
    engine.write(new WriteBatch().put(Space.META, b(1), b(1)), Durability.SYNC); // still usable
    engine.close();
    engine = RocksDbStorageEngine.open(db);
    assertThat(engine.get(Space.META, b(1))).containsExactly(1);
  }

  @Test
  void openingAFileInsteadOfADirectoryFailsNamingIt() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertThatThrownBy(() -> RocksDbStorageEngine.open(file))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(file.toString());
  }

  /**
   * BUFFERED promises survival of a process crash: the write is in the OS page cache when acked.
   * A child JVM writes and acks; we SIGKILL it mid-stream and check every acked key is back.
   */
  @Test
  void acknowledgedBufferedWritesSurviveSigkill(@TempDir Path childDir) throws Exception {
    killMidStreamAndRecover(childDir, 500, 0);
  }

  /**
   * The same in recycled WAL files ({@link RocksTuning#RECYCLED_WAL_FILES}): a recycled file holds
   * the records of its previous use after the new tail, and recovery must stop at the tail without
   * losing an acknowledged write or replaying an old one. 64 KiB memtables make the WAL switch
   * files every few hundred writes, so the kill lands in a reused file.
   */
  @Test
  void acknowledgedBufferedWritesSurviveSigkillInRecycledLogFiles(@TempDir Path childDir)
      throws Exception {
    Path db = killMidStreamAndRecover(childDir, 20_000, 64 << 10);
    // The child's info log is LOG.old.* once recovery opened the directory again.
    StringBuilder infoLogs = new StringBuilder();
    try (var files = Files.list(db)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("LOG")).toList()) {
        infoLogs.append(Files.readString(f));
      }
    }
    assertThat(infoLogs.toString()).as("RocksDB's info log says a WAL file was reused")
        .contains("reusing log");
  }

  /**
   * A node writes META at start-up and HINTS now and then, DATA all the time. Neither of the
   * rarely written spaces may keep the WAL files of DATA's writes alive: those files must be
   * recycled (and their number stay bounded) as soon as DATA's memtables are flushed, not once
   * the WAL reaches its total size cap.
   */
  @Test
  void rarelyWrittenSpacesDoNotPinWalFiles(@TempDir Path other) throws IOException {
    Path db = other.resolve("db");
    byte[] value = new byte[200];
    try (RocksDbStorageEngine e = RocksDbStorageEngine.open(db, 64 << 10)) {
      e.write(new WriteBatch().put(Space.META, b(1), b(1)).put(Space.HINTS, b(2), b(2)),
          Durability.SYNC);
      // About 1.6 MiB of DATA: some 25 memtables of 64 KiB, each switching to another WAL file.
      for (int i = 0; i < 8_000; i++) {
        e.write(new WriteBatch().put(Space.DATA, AckingWriter.key(i), value),
            Durability.BUFFERED);
      }
      await("old WAL files recycled or deleted").atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(walFiles(db))
              .as("WAL files in %s", db).isLessThanOrEqualTo(RocksTuning.RECYCLED_WAL_FILES + 2));
      assertThat(e.get(Space.META, b(1))).containsExactly(1);
      assertThat(e.get(Space.HINTS, b(2))).containsExactly(2);
    }
    assertThat(Files.readString(db.resolve("LOG")))
        .as("RocksDB's info log says a WAL file was reused").contains("reusing log");
  }

  private static long walFiles(Path db) throws IOException {
    try (var files = Files.list(db)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".log")).count();
    }
  }

  /** Kills a writer after {@code acksBeforeKill} acks and checks what recovery finds; the db. */
  private static Path killMidStreamAndRecover(Path childDir, int acksBeforeKill,
      long writeBufferBytes) throws Exception {
    Path db = childDir.resolve("db");
    Path stderr = childDir.resolve("child.stderr");
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                AckingWriter.class.getName(),
                db.toString(),
                Integer.toString(Integer.MAX_VALUE),
                Long.toString(writeBufferBytes))
            .redirectError(stderr.toFile())
            .start();
    AtomicInteger lastAck = new AtomicInteger(-1);
    AtomicBoolean killed = new AtomicBoolean();
    ExecutorService readerThread = Executors.newSingleThreadExecutor();
    try {
      Future<?> reader = readerThread.submit(() -> readAcks(child, lastAck, killed));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> lastAck.get() >= acksBeforeKill || !child.isAlive());
      assertThat(child.isAlive()).as("child died early: %s", Files.readString(stderr)).isTrue();
      // While the child holds the directory, another process cannot open it either.
      assertThatThrownBy(() -> RocksDbStorageEngine.open(db))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("locked by another open engine");

      killed.set(true);
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.get(30, TimeUnit.SECONDS); // acks still in the pipe were acked before the kill
    } finally {
      child.destroyForcibly();
      readerThread.shutdownNow();
    }

    int acked = lastAck.get();
    try (RocksDbStorageEngine recovered = RocksDbStorageEngine.open(db)) {
      for (int i = 0; i <= acked; i++) {
        assertThat(recovered.get(Space.DATA, AckingWriter.key(i)))
            .as("key %d of %d acked", i, acked)
            .isEqualTo(AckingWriter.value(i));
      }
      // Point-in-time recovery replays a prefix of the log: no holes, at most a few unacked keys.
      int recoveredKeys = 0;
      try (Cursor cursor = recovered.scan(Space.DATA, null, null)) {
        while (cursor.hasNext()) {
          assertThat(cursor.next().key()).isEqualTo(AckingWriter.key(recoveredKeys));
          recoveredKeys++;
        }
      }
      System.out.printf("kill test: %d acked, %d recovered%n", acked + 1, recoveredKeys);
      assertThat(recoveredKeys).isGreaterThan(acked);
    }
    return db;
  }

  /** Consumes the child's stdout to EOF, recording the highest ack; its order is write order. */
  private static Void readAcks(Process child, AtomicInteger lastAck, AtomicBoolean killed)
      throws IOException {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("acked ")) {
          lastAck.set(Integer.parseInt(line.substring("acked ".length())));
        }
      }
    } catch (IOException e) {
      // Process.destroyForcibly, and the JDK's reaper when the killed child exits, close or swap
      // the pipe under a reader ("Stream closed", or "Bad file descriptor" when the close lands
      // inside a read); acks not read by then are simply not counted, which only makes the
      // check below less strict. Before the kill, a failed read is a real failure.
      if (!killed.get()) {
        throw e;
      }
    }
    return null;
  }

  @Test
  void cursorsLeftOpenAreReleasedByClose() {
    for (int i = 0; i < 100; i++) {
      engine.write(
          new WriteBatch().put(Space.HINTS, AckingWriter.key(i), b(i)), Durability.BUFFERED);
    }
    Cursor[] cursors = new Cursor[10];
    Arrays.setAll(cursors, i -> engine.scan(Space.HINTS, AckingWriter.key(i * 10), null));
    assertThat(cursors[3].next().key()).isEqualTo(AckingWriter.key(30));
    engine.close(); // must not crash the JVM by freeing the database under live iterators
    engine = reopen();
    assertThat(keys(Space.HINTS, null, null)).hasSize(100);
    for (Cursor cursor : cursors) {
      cursor.close();
    }
  }
}
