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

/**
 * The versioned store over both engines, with and without its object cache: the read-modify-write
 * of one key is atomic, and the cache never shows an object older than the store's.
 */
class VersionedStoreTest {

  @TempDir Path dir;

  private StorageEngine engine(String kind) {
    return kind.startsWith("rocksdb")
        ? RocksDbStorageEngine.open(dir.resolve("db"))
        : new InMemoryStorageEngine();
  }

  /** "+cache": a cache small enough that reads and writes keep evicting and refilling it. */
  private static VersionedStore store(String kind, StorageEngine engine) {
    return new VersionedStore(engine, StorageEngine.Durability.BUFFERED,
        kind.endsWith("+cache") ? 600 : 0);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "rocksdb", "memory+cache", "rocksdb+cache"})
  void concurrentBlindWritersToOneKeyLoseNoSibling(String kind) throws Exception {
    int threads = 8;
    int writesEach = 200;
    try (StorageEngine engine = engine(kind)) {
      VersionedStore store = store(kind, engine);
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
  @ValueSource(strings = {"memory", "rocksdb", "memory+cache", "rocksdb+cache"})
  void aFailedUpdateWritesNothing(String kind) {
    try (StorageEngine engine = engine(kind)) {
      VersionedStore store = store(kind, engine);
      byte[] key = "k".getBytes(StandardCharsets.UTF_8);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.update(key, current -> {
        throw new IllegalStateException("refused");
      })).hasMessage("refused");
      assertThat(engine.get(StorageEngine.Space.DATA, VersionedStore.storageKey(key))).isNull();
    }
  }

  /**
   * A listener that starts from a {@link VersionedStore#scanAtomically} snapshot taken while
   * writers run, then applies every change notified after it, ends with exactly what is stored:
   * no change falls between the snapshot and the notifications, none is counted twice.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "rocksdb", "memory+cache", "rocksdb+cache"})
  void snapshotPlusLaterChangesIsExactlyTheStore(String kind) throws Exception {
    try (StorageEngine engine = engine(kind)) {
      VersionedStore store = store(kind, engine);
      java.util.concurrent.ConcurrentHashMap<String, String> model =
          new java.util.concurrent.ConcurrentHashMap<>();
      java.util.concurrent.ConcurrentLinkedQueue<String[]> changes =
          new java.util.concurrent.ConcurrentLinkedQueue<>();
      java.util.concurrent.atomic.AtomicBoolean recording =
          new java.util.concurrent.atomic.AtomicBoolean();
      store.listen((sk, before, after, object) -> {
        if (recording.get()) {
          changes.add(new String[] {hex(sk), after == null ? null : hex(after)});
        }
      });
      Actor actor = new Actor("n1", 1);
      AtomicLong counter = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < 3000; i++) {
            byte[] key = ("k" + (i * 7 + thread) % 50).getBytes(StandardCharsets.UTF_8);
            if (i % 11 == 0) {
              VersionedObject seen = store.get(key);
              store.removeIfUnchanged(key, seen);
            } else {
              long n = counter.incrementAndGet();
              store.update(key, c -> c.write(c.context(), c.nextDot(actor, c.context(), n),
                  ("v" + n).getBytes(StandardCharsets.UTF_8), n, 10));
            }
          }
          return null;
        }));
      }
      go.countDown();
      while (counter.get() < 1000) {
        Thread.onSpinWait(); // the snapshot must fall amid the writes
      }
      try (Cursor c = store.scanAtomically(null, null, () -> recording.set(true))) {
        while (c.hasNext()) {
          Cursor.Entry e = c.next();
          model.put(hex(e.key()), hex(e.value()));
        }
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      for (String[] change : changes) {
        if (change[1] == null) {
          model.remove(change[0]);
        } else {
          model.put(change[0], change[1]);
        }
      }
      java.util.Map<String, String> actual = new java.util.TreeMap<>();
      try (Cursor c = engine.scan(StorageEngine.Space.DATA, null, null)) {
        while (c.hasNext()) {
          Cursor.Entry e = c.next();
          actual.put(hex(e.key()), hex(e.value()));
        }
      }
      assertThat(changes).isNotEmpty();
      assertThat(new java.util.TreeMap<>(model)).isEqualTo(actual);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "rocksdb", "memory+cache", "rocksdb+cache"})
  void removeIfUnchangedRemovesOnlyTheExpectedObject(String kind) {
    try (StorageEngine engine = engine(kind)) {
      VersionedStore store = store(kind, engine);
      List<byte[]> removed = new ArrayList<>();
      store.listen((sk, before, after, object) -> {
        if (after == null) {
          removed.add(before);
        }
      });
      byte[] key = "k".getBytes(StandardCharsets.UTF_8);
      Actor actor = new Actor("n1", 1);
      VersionedObject one = store.update(key, c -> c.write(VersionVector.EMPTY,
          c.nextDot(actor, VersionVector.EMPTY, 0), null, 1, 10));
      VersionedObject two = store.update(key, c -> c.write(c.context(),
          c.nextDot(actor, c.context(), 0), null, 2, 10));
      assertThat(store.removeIfUnchanged(key, one)).isFalse();
      assertThat(store.get(key)).isEqualTo(two);
      assertThat(store.removeIfUnchanged(key, two)).isTrue();
      assertThat(store.get(key)).isEqualTo(VersionedObject.EMPTY);
      assertThat(removed).hasSize(1);
      assertThat(store.removeIfUnchanged(key, two)).isFalse();
    }
  }

  /**
   * Data transfer drops a moved partition with {@code removeAllBut}, keeping the keys pinned by a
   * write whose copy still counts: a writer that pins its key before it writes must find its
   * write stored for as long as the pin lasts, whatever the drops do meanwhile.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "rocksdb", "memory+cache", "rocksdb+cache"})
  void removeAllButNeverDeletesAWriteMadeUnderAPin(String kind) throws Exception {
    int writers = 4;
    int writesEach = 300;
    try (StorageEngine engine = engine(kind)) {
      VersionedStore store = store(kind, engine);
      Set<String> pinned = java.util.concurrent.ConcurrentHashMap.newKeySet();
      List<byte[]> keys = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        keys.add(VersionedStore.storageKey(("k" + i).getBytes(StandardCharsets.UTF_8)));
      }
      ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
      CountDownLatch go = new CountDownLatch(1);
      java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
      AtomicLong deleted = new AtomicLong();
      Future<?> dropper = pool.submit(() -> {
        go.await();
        while (writing.get()) {
          deleted.addAndGet(store.removeAllBut(keys,
              k -> pinned.contains(new String(k, StandardCharsets.UTF_8))));
        }
        return null;
      });
      List<Future<Integer>> lost = new ArrayList<>();
      for (int t = 0; t < writers; t++) {
        String name = "k" + t;
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        Actor actor = new Actor("n" + t, 1);
        lost.add(pool.submit(() -> {
          go.await();
          int missing = 0;
          for (int i = 0; i < writesEach; i++) {
            pinned.add(name);
            VersionedObject written = store.update(key, c -> c.write(c.context(),
                c.nextDot(actor, c.context(), 0), "v".getBytes(StandardCharsets.UTF_8), 1, 10));
            if (!store.get(key).equals(written)) {
              missing++;
            }
            pinned.remove(name);
            Thread.yield();
          }
          return missing;
        }));
      }
      go.countDown();
      int missing = 0;
      for (Future<Integer> f : lost) {
        missing += f.get(60, TimeUnit.SECONDS);
      }
      writing.set(false);
      dropper.get(60, TimeUnit.SECONDS);
      pool.shutdown();
      assertThat(missing).as("writes deleted while pinned").isZero();
      assertThat(deleted.get()).as("the drops deleted the unpinned keys").isPositive();
    }
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }

  /** Every change shows through the cache at once: writes, a purge, a partition drop. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory", "rocksdb"})
  void theCacheFollowsEveryChange(String kind) {
    try (StorageEngine engine = engine(kind)) {
      VersionedStore store = new VersionedStore(engine, StorageEngine.Durability.BUFFERED, 1 << 20);
      byte[] key = "k".getBytes(StandardCharsets.UTF_8);
      Actor actor = new Actor("n1", 1);
      assertThat(store.get(key)).isEqualTo(VersionedObject.EMPTY); // cached as absent
      VersionedObject one = store.update(key, c -> c.write(c.context(),
          c.nextDot(actor, c.context(), 0), "1".getBytes(StandardCharsets.UTF_8), 1, 10));
      assertThat(store.get(key)).isEqualTo(one);
      assertThat(store.getRaw(key)).isEqualTo(engine.get(StorageEngine.Space.DATA,
          VersionedStore.storageKey(key)));
      VersionedObject two = store.update(key, c -> c.write(c.context(),
          c.nextDot(actor, c.context(), 0), "2".getBytes(StandardCharsets.UTF_8), 2, 10));
      assertThat(store.get(key)).isEqualTo(two);
      assertThat(store.removeIfUnchanged(key, two)).isTrue();
      assertThat(store.get(key)).isEqualTo(VersionedObject.EMPTY);
      assertThat(store.getRaw(key)).isNull();
      VersionedObject three = store.update(key, c -> c.write(c.context(),
          c.nextDot(actor, c.context(), 0), "3".getBytes(StandardCharsets.UTF_8), 3, 10));
      assertThat(store.get(key)).isEqualTo(three);
      assertThat(store.removeAllBut(List.of(VersionedStore.storageKey(key)), k -> false))
          .isEqualTo(1);
      assertThat(store.get(key)).isEqualTo(VersionedObject.EMPTY);
      assertThat(store.getRaw(key)).isNull();
    }
  }

  /**
   * Readers racing a writer through a cache that keeps evicting never see a key go back to an
   * older value: a miss fills the cache under the same locks as a change.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"memory+cache", "rocksdb+cache"})
  void readersNeverSeeAnOlderObjectThanTheyDidBefore(String kind) throws Exception {
    int keys = 8;
    int writes = 3000;
    try (StorageEngine engine = engine(kind)) {
      VersionedStore store = store(kind, engine);
      Actor actor = new Actor("n1", 1);
      ExecutorService pool = Executors.newFixedThreadPool(3);
      java.util.concurrent.atomic.AtomicBoolean writing =
          new java.util.concurrent.atomic.AtomicBoolean(true);
      Future<?> writer = pool.submit(() -> {
        for (int i = 1; i <= writes; i++) {
          byte[] key = ("k" + i % keys).getBytes(StandardCharsets.UTF_8);
          byte[] value = Integer.toString(i).getBytes(StandardCharsets.UTF_8);
          long now = i;
          store.update(key, c -> c.write(c.context(), c.nextDot(actor, c.context(), 0), value,
              now, 10));
        }
        writing.set(false);
        return null;
      });
      List<Future<Integer>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(pool.submit(() -> {
          int[] seen = new int[keys];
          int backwards = 0;
          while (writing.get()) {
            for (int k = 0; k < keys; k++) {
              List<byte[]> values = store.get(("k" + k).getBytes(StandardCharsets.UTF_8))
                  .values();
              int v = values.isEmpty() ? 0
                  : Integer.parseInt(new String(values.get(0), StandardCharsets.UTF_8));
              if (v < seen[k]) {
                backwards++;
              }
              seen[k] = Math.max(seen[k], v);
            }
          }
          return backwards;
        }));
      }
      writer.get(60, TimeUnit.SECONDS);
      for (Future<Integer> f : readers) {
        assertThat(f.get(60, TimeUnit.SECONDS)).as("reads that went back in time").isZero();
      }
      pool.shutdown();
      for (int k = 0; k < keys; k++) {
        int last = writes - (writes - k) % keys;
        assertThat(store.get(("k" + k).getBytes(StandardCharsets.UTF_8)).values())
            .singleElement()
            .satisfies(v -> assertThat(new String(v, StandardCharsets.UTF_8))
                .isEqualTo(Integer.toString(last)));
      }
    }
  }
}
