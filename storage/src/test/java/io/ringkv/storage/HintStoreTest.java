package io.ringkv.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.storage.rocksdb.RocksDbStorageEngine;
import io.ringkv.version.Actor;
import io.ringkv.version.VersionVector;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HintStoreTest {

  @TempDir Path dir;

  private static final Actor A = new Actor("a", 1);
  private static final Actor B = new Actor("b", 1);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static VersionedObject write(VersionedObject o, Actor actor, String value) {
    return o.write(VersionVector.EMPTY, o.nextDot(actor, VersionVector.EMPTY, 0), b(value), 1, 10);
  }

  private StorageEngine engine;

  private HintStore open(long maxBytes) {
    engine = RocksDbStorageEngine.open(dir.resolve("db"));
    return new HintStore(engine, StorageEngine.Durability.BUFFERED, maxBytes);
  }

  @Test
  void hintsForOneKeyMergeAndAreKeptPerIntendedNode() {
    HintStore hints = new HintStore(new InMemoryStorageEngine(), StorageEngine.Durability.BUFFERED,
        1 << 20);
    hints.merge("n3", b("k"), write(VersionedObject.EMPTY, A, "x"), 100);
    hints.merge("n3", b("k"), write(VersionedObject.EMPTY, B, "y"), 200);
    hints.merge("n4", b("k"), write(VersionedObject.EMPTY, A, "z"), 300);
    assertThat(hints.get("n3", b("k")).values()).extracting(String::new)
        .containsExactlyInAnyOrder("x", "y");
    assertThat(hints.get("n4", b("k")).values()).extracting(String::new).containsExactly("z");
    assertThat(hints.get("n5", b("k"))).isEqualTo(VersionedObject.EMPTY);
    assertThat(hints.held()).containsOnlyKeys("n3", "n4");
    assertThat(hints.held().get("n3").keys()).isEqualTo(1);
    assertThat(hints.oldestMillis("n3")).isEqualTo(100); // the first store of the entry
  }

  @Test
  void scanResumesAndDeleteOnlyRemovesWhatWasDelivered() {
    HintStore hints = new HintStore(new InMemoryStorageEngine(), StorageEngine.Durability.BUFFERED,
        1 << 20);
    for (int i = 0; i < 25; i++) {
      hints.merge("n3", b("k" + i), write(VersionedObject.EMPTY, A, "v" + i), i);
    }
    hints.merge("n2", b("other"), write(VersionedObject.EMPTY, A, "o"), 0);
    List<String> seen = new ArrayList<>();
    byte[] after = null;
    List<HintStore.Hint> batch;
    do {
      batch = hints.scan("n3", after, 10);
      batch.forEach(h -> seen.add(new String(h.key(), StandardCharsets.UTF_8)));
      if (!batch.isEmpty()) {
        after = HintStore.entryKey(batch.get(batch.size() - 1));
      }
    } while (batch.size() == 10);
    assertThat(seen).hasSize(25).doesNotHaveDuplicates().doesNotContain("other");

    HintStore.Hint first = hints.scan("n3", null, 1).get(0);
    // A new hinted write to the same key lands after the scan: the delivered copy is stale.
    hints.merge("n3", first.key(), write(VersionedObject.EMPTY, B, "late"), 99);
    assertThat(hints.deleteIfUnchanged(first)).isFalse();
    HintStore.Hint again = hints.scan("n3", null, 1).get(0);
    assertThat(hints.deleteIfUnchanged(again)).isTrue();
    assertThat(hints.held().get("n3").keys()).isEqualTo(24);
  }

  @Test
  void aFullStoreRefusesNewHintsAndStoresNothing() {
    HintStore hints = new HintStore(new InMemoryStorageEngine(), StorageEngine.Durability.BUFFERED,
        400);
    int stored = 0;
    try {
      for (int i = 0; i < 100; i++) {
        hints.merge("n3", b("key-" + i), write(VersionedObject.EMPTY, A, "value-" + i), 0);
        stored++;
      }
    } catch (HintStore.Full expected) {
      assertThat(expected).hasMessageContaining("handoff.max-hint-mib");
    }
    assertThat(stored).isBetween(1, 99);
    assertThat(hints.refused()).isEqualTo(1);
    assertThat(hints.held().get("n3").keys()).isEqualTo(stored);
    assertThat(hints.held().get("n3").bytes()).isLessThanOrEqualTo(400);
    int refusedKey = stored;
    assertThatThrownBy(() -> hints.merge("n3", b("key-" + refusedKey),
        write(VersionedObject.EMPTY, A, "x"), 0)).isInstanceOf(HintStore.Full.class);
    assertThat(hints.get("n3", b("key-" + refusedKey))).isEqualTo(VersionedObject.EMPTY);
  }

  @Test
  void hintsAndTheirAccountingSurviveARestart() {
    HintStore hints = open(1 << 20);
    for (int i = 0; i < 50; i++) {
      hints.merge(i % 2 == 0 ? "n3" : "n4", b("k" + i), write(VersionedObject.EMPTY, A, "v"), i);
    }
    var before = hints.held();
    engine.close();
    HintStore reopened = open(1 << 20);
    assertThat(reopened.held()).isEqualTo(before);
    assertThat(reopened.get("n4", b("k1")).values()).hasSize(1);
    engine.close();
  }
}
