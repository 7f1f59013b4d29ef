package io.ringkv.server.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.env.SystemClock;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.InMemoryStorageEngine;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.Actor;
import io.ringkv.version.VersionVector;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalReplicaTest {

  private final InMemoryStorageEngine engine = new InMemoryStorageEngine();
  private final LocalReplica local = new LocalReplica(
      new VersionedStore(engine, StorageEngine.Durability.BUFFERED),
      new HintStore(engine, StorageEngine.Durability.BUFFERED, 1 << 20), Runnable::run,
      SystemClock.INSTANCE);

  private static VersionedObject version(String actor, String value) {
    Actor a = new Actor(actor, 1);
    return VersionedObject.EMPTY.write(VersionVector.EMPTY,
        VersionedObject.EMPTY.nextDot(a, VersionVector.EMPTY, 0),
        value.getBytes(StandardCharsets.UTF_8), 1, 10);
  }

  /**
   * Data transfer forwards what it is told of; a merge that brings nothing new must not be told,
   * or two nodes that each take the other for a partition's new home replica (their views of a
   * ring change differ for a moment) forward one write back and forth without end. The simulator
   * found that storm with two membership changes (seed 600360 never finished its workload).
   */
  @Test
  void onlyWritesThatChangeTheDataAreTold() {
    List<String> told = new ArrayList<>();
    local.onWrite(new LocalReplica.WriteListener() {
      @Override
      public boolean forwards(byte[] key) {
        return false;
      }

      @Override
      public void written(byte[] key, VersionedObject stored, LocalReplica.Pin pin) {
        told.add(new String(key, StandardCharsets.UTF_8));
      }
    });
    byte[] k = "k".getBytes(StandardCharsets.UTF_8);
    VersionedObject a = version("a", "1");
    local.merge(k, a).join();
    local.merge(k, a).join();
    assertThat(told).containsExactly("k");
    local.merge(k, version("b", "2")).join();
    assertThat(told).containsExactly("k", "k");
    assertThat(local.store().get(k).siblings()).hasSize(2);
  }

  /**
   * A write that data transfer will forward pins its key before it is stored, and hands the pin
   * to the listener: a drop of the key's partition then either precedes the write or keeps it
   * until the forward is acknowledged. A write that changed nothing releases its pin itself.
   */
  @Test
  void aWriteTheListenerForwardsIsPinnedBeforeItIsStored() {
    List<LocalReplica.Pin> handed = new ArrayList<>();
    local.onWrite(new LocalReplica.WriteListener() {
      @Override
      public boolean forwards(byte[] key) {
        return true;
      }

      @Override
      public void written(byte[] key, VersionedObject stored, LocalReplica.Pin pin) {
        handed.add(pin);
      }
    });
    byte[] k = "k".getBytes(StandardCharsets.UTF_8);
    VersionedObject a = version("a", "1");
    boolean[] pinnedWhileWriting = {false};
    local.update(k, current -> {
      pinnedWhileWriting[0] = local.isPinned(k);
      return current.merge(a);
    }).join();
    assertThat(pinnedWhileWriting[0]).isTrue();
    assertThat(handed).hasSize(1).doesNotContainNull();
    assertThat(local.isPinned(k)).as("the listener holds the pin").isTrue();
    handed.get(0).release();
    assertThat(local.isPinned(k)).isFalse();

    local.merge(k, a).join();
    assertThat(handed).hasSize(1);
    assertThat(local.isPinned(k)).isFalse();
  }
}
