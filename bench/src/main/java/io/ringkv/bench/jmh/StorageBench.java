package io.ringkv.bench.jmh;

import io.ringkv.storage.InMemoryStorageEngine;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.storage.WriteBatch;
import io.ringkv.storage.rocksdb.RocksDbStorageEngine;
import io.ringkv.version.VersionedObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A replica's storage path: raw engine get/put of a ~1.1 KB stored object, and the
 * {@link VersionedStore} calls a request makes (get: read and decode; update: lock, read, decode,
 * new version, encode, write). 100,000 keys are preloaded, as after YCSB's load phase, and keys are
 * drawn uniformly so that reads are not all served from one cached block. Writes are BUFFERED
 * (the server's default: WAL in the page cache).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StorageBench {

  private static final int KEYS = 100_000;
  private static final StorageEngine.Durability DURABILITY = StorageEngine.Durability.BUFFERED;

  @Param({"rocksdb", "memory"})
  public String engine;

  private Path dir;
  private StorageEngine store;
  private VersionedStore versioned;
  private byte[][] userKeys;
  private byte[][] storageKeys;
  private byte[] storedValue;
  private byte[] recordValue;

  /** Per thread: its own random stream, so threads do not contend on one generator. */
  @State(Scope.Thread)
  public static class Cursor {
    final SplittableRandom random = new SplittableRandom(Thread.currentThread().getId());

    int next() {
      return random.nextInt(KEYS);
    }
  }

  @Setup(Level.Trial)
  public void setup() throws IOException {
    if (engine.equals("rocksdb")) {
      dir = Files.createTempDirectory("ringkv-jmh-");
      store = RocksDbStorageEngine.open(dir);
    } else {
      store = new InMemoryStorageEngine();
    }
    versioned = new VersionedStore(store, DURABILITY);
    recordValue = Versions.value(1082); // a YCSB record of 10 x 100 bytes in FieldCodec form
    userKeys = new byte[KEYS][];
    storageKeys = new byte[KEYS][];
    for (int i = 0; i < KEYS; i++) {
      userKeys[i] = ("usertable/user" + i).getBytes(StandardCharsets.UTF_8);
      storageKeys[i] = VersionedStore.storageKey(userKeys[i]);
      // Three writes by three nodes: the context a key has after a few updates at N=3.
      int k = i;
      versioned.update(userKeys[i], o -> Versions.write(Versions.write(Versions.write(
          o, k % 3, recordValue), (k + 1) % 3, recordValue), (k + 2) % 3, recordValue));
    }
    storedValue = store.get(StorageEngine.Space.DATA, storageKeys[0]);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> {
          try {
            Files.delete(p);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    }
  }

  @Benchmark
  public byte[] engineGet(Cursor c) {
    return store.get(StorageEngine.Space.DATA, storageKeys[c.next()]);
  }

  @Benchmark
  public void enginePut(Cursor c) {
    store.write(new WriteBatch().put(StorageEngine.Space.DATA, storageKeys[c.next()],
        storedValue), DURABILITY);
  }

  @Benchmark
  public VersionedObject storeGet(Cursor c) {
    return versioned.get(userKeys[c.next()]);
  }

  /** What a coordinator's put does locally: a new version superseding the stored one. */
  @Benchmark
  public VersionedObject storeUpdate(Cursor c) {
    int i = c.next();
    return versioned.update(userKeys[i], o -> Versions.write(o, i % 3, recordValue));
  }
}
