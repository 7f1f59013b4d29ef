package io.ringkv.storage;

import static io.ringkv.storage.StorageEngine.Durability.BUFFERED;
import static io.ringkv.storage.StorageEngine.Durability.SYNC;
import static io.ringkv.storage.StorageEngine.Space.DATA;
import static io.ringkv.storage.StorageEngine.Space.HINTS;
import static io.ringkv.storage.StorageEngine.Space.META;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.ringkv.storage.TestBytes.b;
import static io.ringkv.storage.TestBytes.hex;
import static io.ringkv.storage.TestBytes.number;

import io.ringkv.storage.StorageEngine.Space;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link StorageEngine} must have. A subclass supplies {@link #newEngine()}
 * and, if its data outlives {@link StorageEngine#close()}, {@link #reopen()}. The randomized
 * comparison against a model lives in {@link StorageEngineModelCheck}, which this class runs.
 */
public abstract class StorageEngineContract {

  protected StorageEngine engine;

  /** A fresh, empty engine. Called once before each test. */
  protected abstract StorageEngine newEngine();

  /** Whether {@link #reopen()} is supported. */
  protected boolean supportsReopen() {
    return false;
  }

  /** A new engine over the data of the last one, which the caller has closed. */
  protected StorageEngine reopen() {
    throw new UnsupportedOperationException("this engine cannot be reopened");
  }

  @BeforeEach
  final void openEngine() {
    engine = newEngine();
  }

  @AfterEach
  final void closeEngine() {
    engine.close();
  }

  @Test
  void getOfAMissingKeyIsNull() {
    assertThat(engine.get(DATA, b(1))).isNull();
  }

  @Test
  void putGetOverwriteDelete() {
    put(DATA, b(1), b(10));
    assertThat(engine.get(DATA, b(1))).containsExactly(10);
    put(DATA, b(1), b(11, 12));
    assertThat(engine.get(DATA, b(1))).containsExactly(11, 12);
    put(DATA, b(2), new byte[0]);
    assertThat(engine.get(DATA, b(2))).isEmpty(); // an empty value is a value, not a delete
    engine.write(new WriteBatch().delete(DATA, b(1)), SYNC);
    assertThat(engine.get(DATA, b(1))).isNull();
    engine.write(new WriteBatch().delete(DATA, b(9)), BUFFERED); // deleting nothing is fine
    engine.write(new WriteBatch(), SYNC); // so is an empty batch
    assertThat(engine.get(DATA, b(2))).isEmpty();
  }

  @Test
  void spacesAreIndependent() {
    put(DATA, b(1), b(1));
    put(META, b(1), b(2));
    assertThat(engine.get(HINTS, b(1))).isNull();
    engine.write(new WriteBatch().delete(DATA, b(1)), BUFFERED);
    assertThat(engine.get(DATA, b(1))).isNull();
    assertThat(engine.get(META, b(1))).containsExactly(2);
    assertThat(keys(HINTS, null, null)).isEmpty();
  }

  @Test
  void aBatchMixingSpacesAndDeletesIsAppliedWhole() {
    put(DATA, b(1), b(1));
    put(HINTS, b(2), b(2));
    engine.write(
        new WriteBatch()
            .put(DATA, b(3), b(3))
            .delete(DATA, b(1))
            .put(META, b(4), b(4))
            .delete(HINTS, b(2))
            .put(HINTS, b(5), b(5))
            .put(DATA, b(3), b(0x33)), // a later mutation of the same key wins
        SYNC);
    assertThat(entries(DATA, null, null)).containsExactly("03=33");
    assertThat(entries(META, null, null)).containsExactly("04=04");
    assertThat(entries(HINTS, null, null)).containsExactly("05=05");
  }

  @Test
  void concurrentReadersNeverSeeHalfABatch() throws Exception {
    int reads = 3_000;
    int batchesMax = 1_000_000;
    put(DATA, b(1), number(0));
    put(DATA, b(2), number(0));
    AtomicBoolean readerDone = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(2);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      // The writer runs for as long as the reader reads, so the two always overlap.
      Future<Integer> writer =
          threads.submit(
              () -> {
                start.countDown();
                start.await();
                int i = 0;
                while (!readerDone.get() && i < batchesMax) {
                  i++;
                  engine.write(
                      new WriteBatch().put(DATA, b(1), number(i)).put(DATA, b(2), number(i)),
                      BUFFERED);
                }
                return i;
              });
      Future<?> reader =
          threads.submit(
              () -> {
                start.countDown();
                start.await();
                try {
                  for (int r = 0; r < reads; r++) {
                    // A scan is a snapshot: both keys must come from the same batch.
                    List<String> both = entries(DATA, null, null);
                    assertThat(both).as("read %d", r).hasSize(2);
                    String value = both.get(0).substring("01=".length());
                    assertThat(both.get(1)).as("read %d", r).isEqualTo("02=" + value);
                    // Key 1 comes first in every batch and is read first here: a batch applied
                    // one mutation at a time would let key 1 run ahead of key 2.
                    int first = number(engine.get(DATA, b(1)));
                    int second = number(engine.get(DATA, b(2)));
                    assertThat(second).as("read %d", r).isGreaterThanOrEqualTo(first);
                  }
                } finally {
                  readerDone.set(true);
                }
                return null;
              });
      reader.get(60, TimeUnit.SECONDS);
      assertThat(writer.get(60, TimeUnit.SECONDS)).isPositive();
    } finally {
      threads.shutdownNow();
      assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(engine.get(DATA, b(1))).isEqualTo(engine.get(DATA, b(2)));
  }

  @Test
  void scanOrderIsUnsignedBytewiseWithPrefixesFirst() {
    byte[][] inserted = {
      b(0x80), b(0x01, 0x00), b(0xff), b(0x7f), b(0x01), b(), b(0x00), b(0xff, 0x00), b(0x80, 0x7f)
    };
    for (byte[] key : inserted) {
      put(DATA, key, b(1));
    }
    assertThat(keys(DATA, null, null))
        .containsExactly("", "00", "01", "0100", "7f", "80", "807f", "ff", "ff00");
  }

  @Test
  void scanBoundsAreInclusiveExclusiveOrOpen() {
    for (int k : new int[] {0x10, 0x20, 0x30, 0x80, 0xf0}) {
      put(DATA, b(k), b(k));
    }
    assertThat(keys(DATA, b(0x20), b(0x80))).containsExactly("20", "30");
    assertThat(keys(DATA, b(0x21), b(0x81))).containsExactly("30", "80");
    assertThat(keys(DATA, null, b(0x30))).containsExactly("10", "20");
    assertThat(keys(DATA, b(0x30), null)).containsExactly("30", "80", "f0");
    assertThat(keys(DATA, b(0x20, 0x00), b(0x30, 0x00))).containsExactly("30");
    assertThat(keys(DATA, b(0x30), b(0x30))).isEmpty();
    assertThat(keys(DATA, b(0x80), b(0x20))).isEmpty(); // inverted: empty, not an error
    assertThat(keys(DATA, null, b())).isEmpty();
    assertThat(entries(DATA, b(0xf0), null)).containsExactly("f0=f0");
  }

  @Test
  void aCursorSeesTheSnapshotOfWhenItWasOpened() {
    put(DATA, b(1), b(1));
    put(DATA, b(3), b(3));
    try (Cursor cursor = engine.scan(DATA, null, null)) {
      engine.write(
          new WriteBatch().put(DATA, b(2), b(2)).put(DATA, b(3), b(4)).delete(DATA, b(1)), SYNC);
      List<String> seen = new ArrayList<>();
      cursor.forEachRemaining(e -> seen.add(hex(e.key()) + "=" + hex(e.value())));
      assertThat(seen).containsExactly("01=01", "03=03");
      assertThatThrownBy(cursor::next).isInstanceOf(NoSuchElementException.class);
    }
    assertThat(entries(DATA, null, null)).containsExactly("02=02", "03=04");
  }

  @Test
  void arraysGoingInAndOutAreCopies() {
    byte[] key = b(1);
    byte[] value = b(2);
    WriteBatch batch = new WriteBatch().put(DATA, key, value);
    engine.write(batch, BUFFERED);
    key[0] = 9;
    value[0] = 9;
    assertThat(engine.get(DATA, b(1))).containsExactly(2);

    engine.get(DATA, b(1))[0] = 7;
    try (Cursor cursor = engine.scan(DATA, null, null)) {
      Cursor.Entry entry = cursor.next();
      entry.key()[0] = 7;
      entry.value()[0] = 7;
    }
    assertThat(entries(DATA, null, null)).containsExactly("01=02");
  }

  @Test
  void everyCallFailsAfterCloseAndCloseIsIdempotent() {
    put(DATA, b(1), b(1));
    Cursor open = engine.scan(DATA, null, null);
    Cursor closed = engine.scan(DATA, null, null);
    closed.close();
    assertThatThrownBy(closed::hasNext).isInstanceOf(IllegalStateException.class);
    closed.close();

    engine.close();
    engine.close();
    assertThatThrownBy(() -> engine.get(DATA, b(1))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> engine.write(new WriteBatch().put(DATA, b(1), b(1)), SYNC))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> engine.write(new WriteBatch(), SYNC))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> engine.scan(DATA, null, null))
        .isInstanceOf(IllegalStateException.class);
    // A cursor left open does not outlive its engine.
    assertThatThrownBy(open::hasNext).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(open::next).isInstanceOf(IllegalStateException.class);
    open.close();
  }

  @Test
  void behavesLikeASortedMapUnderRandomOperations() {
    long seed = Long.getLong("ringkv.storage.seed", System.nanoTime());
    new StorageEngineModelCheck(seed, () -> engine, this::reopenIfSupported).run(3_000);
  }

  private StorageEngine reopenIfSupported() {
    if (!supportsReopen()) {
      return engine;
    }
    engine.close();
    engine = reopen();
    return engine;
  }

  protected void put(Space space, byte[] key, byte[] value) {
    engine.write(new WriteBatch().put(space, key, value), BUFFERED);
  }

  protected List<String> keys(Space space, byte[] from, byte[] to) {
    List<String> out = new ArrayList<>();
    try (Cursor cursor = engine.scan(space, from, to)) {
      cursor.forEachRemaining(e -> out.add(hex(e.key())));
    }
    return out;
  }

  protected List<String> entries(Space space, byte[] from, byte[] to) {
    List<String> out = new ArrayList<>();
    try (Cursor cursor = engine.scan(space, from, to)) {
      cursor.forEachRemaining(e -> out.add(hex(e.key()) + "=" + hex(e.value())));
    }
    return out;
  }
}
