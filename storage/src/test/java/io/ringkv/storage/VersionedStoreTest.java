package io.ringkv.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.rocksdb.RocksDbStorageEngine;
import io.ringkv.version.Actor;
import io.ringkv.version.VersionVector;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The versioned store over both engines: the read-modify-write of one key is atomic. */
class VersionedStoreTest {

  @TempDir Path dir;

  private StorageEngine engine(String kind) {
    return kind.equals("rocksdb")
        ? RocksDbStorageEngine.open(dir.resolve("db"))
        : new InMemoryStorageEngine();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "rocksdb"})
  void concurrentBlindWritersToOneKeyLoseNoSibling(String kind) throws Exception {
    int threads = 8;
    int writesEach = 200;
    try (StorageEngine engine = engine(kind)) {
      VersionedStore store = new VersionedStore(engine, StorageEngine.Durability.BUFFERED);
      byte[] key = "hot".getBytes(StandardCharsets.UTF_8);
      AtomicLong counter = new AtomicLong();
      Actor actor = new Actor("n1", 7);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < writesEach; i++) {
            byte[] value = (thread + ":" + i).getBytes(StandardCharsets.UTF_8);
            long now = i;
            store.update(key, current -> current.write(VersionVector.EMPTY,
                current.nextDot(actor, VersionVector.EMPTY, counter.incrementAndGet()),
                value, now, 10));
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      VersionedObject stored = store.get(key);
      Set<String> values = new HashSet<>();
      stored.values().forEach(v -> values.add(new String(v, StandardCharsets.UTF_8)));
      assertThat(values).hasSize(threads * writesEach);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "rocksdb"})
  void aFailedUpdateWritesNothing(String kind) {
    try (StorageEngine engine = engine(kind)) {
      VersionedStore store = new VersionedStore(engine, StorageEngine.Durability.BUFFERED);
      byte[] key = "k".getBytes(StandardCharsets.UTF_8);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.update(key, current -> {
        throw new IllegalStateException("refused");
      })).hasMessage("refused");
      assertThat(engine.get(StorageEngine.Space.DATA, VersionedStore.storageKey(key))).isNull();
    }
  }
}
