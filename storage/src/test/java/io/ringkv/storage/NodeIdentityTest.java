package io.ringkv.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringkv.version.Dot;
import io.ringkv.version.VersionVector;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NodeIdentityTest {

  private static final StorageEngine.Durability BUFFERED = StorageEngine.Durability.BUFFERED;
  private static final StorageEngine.Durability SYNC = StorageEngine.Durability.SYNC;
  private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

  private final SplittableRandom random = new SplittableRandom(7);

  @Test
  void aRestartOnTheSameBootKeepsTheActorAndCountsOnAboveEverythingIssued() {
    PowerCutEngine disk = new PowerCutEngine();
    NodeIdentity first = NodeIdentity.loadOrCreate(disk, "n1", random, "boot-1", BUFFERED);
    long issued = 0;
    for (int i = 0; i < 5; i++) {
      issued = first.nextCounterFloor();
    }
    // A process kill: the page cache keeps every write, synced or not.
    NodeIdentity again = NodeIdentity.loadOrCreate(disk, "n1", random, "boot-1", BUFFERED);
    assertThat(again.actor()).isEqualTo(first.actor());
    assertThat(again.nextCounterFloor()).isGreaterThan(issued);
  }

  @Test
  void aPowerCutWithBufferedWritesTakesANewEpochAndStillCountsOnAboveTheLease() {
    PowerCutEngine disk = new PowerCutEngine();
    NodeIdentity first = NodeIdentity.loadOrCreate(disk, "n1", random, "boot-1", BUFFERED);
    long issued = first.nextCounterFloor();
    disk.cut();
    NodeIdentity after = NodeIdentity.loadOrCreate(disk, "n1", random, "boot-2", BUFFERED);
    assertThat(after.actor().node()).isEqualTo("n1");
    assertThat(after.actor()).isNotEqualTo(first.actor());
    assertThat(after.nextCounterFloor()).isGreaterThan(issued);
    // The new epoch is synced at once: a second cut on the same boot keeps it.
    disk.cut();
    assertThat(NodeIdentity.loadOrCreate(disk, "n1", random, "boot-2", BUFFERED).actor())
        .isEqualTo(after.actor());
  }

  @Test
  void withSyncedWritesAPowerCutLosesNothingAcknowledgedAndTheActorStays() {
    PowerCutEngine disk = new PowerCutEngine();
    NodeIdentity first = NodeIdentity.loadOrCreate(disk, "n1", random, "boot-1", SYNC);
    long issued = first.nextCounterFloor();
    disk.cut();
    NodeIdentity after = NodeIdentity.loadOrCreate(disk, "n1", random, "boot-2", SYNC);
    assertThat(after.actor()).isEqualTo(first.actor());
    assertThat(after.nextCounterFloor()).isGreaterThan(issued);
  }

  @Test
  void aDirectoryWrittenBeforeBootIdsWereKeptTakesANewEpochOnce() {
    InMemoryStorageEngine disk = new InMemoryStorageEngine();
    NodeIdentity old = NodeIdentity.loadOrCreate(disk, "n1", random, "boot-1", BUFFERED);
    disk.write(new WriteBatch().delete(StorageEngine.Space.META,
        "boot-id".getBytes(StandardCharsets.UTF_8)), SYNC);
    NodeIdentity upgraded = NodeIdentity.loadOrCreate(disk, "n1", random, "boot-1", BUFFERED);
    assertThat(upgraded.actor()).isNotEqualTo(old.actor());
    assertThat(NodeIdentity.loadOrCreate(disk, "n1", random, "boot-1", BUFFERED).actor())
        .isEqualTo(upgraded.actor());
  }

  @Test
  void aDirectoryOfAnotherNodeIsRefused() {
    InMemoryStorageEngine disk = new InMemoryStorageEngine();
    NodeIdentity.loadOrCreate(disk, "n1", random, "boot-1", BUFFERED);
    assertThatThrownBy(() -> NodeIdentity.loadOrCreate(disk, "n2", random, "boot-1", BUFFERED))
        .isInstanceOf(StorageException.class).hasMessageContaining("belongs to node 'n1'");
  }

  /**
   * The protocol bug this guards against (found by the simulator, seed 900212): n1 coordinates
   * v1 and n2 stores a copy; n1 loses power before it synced v1. Back up, n1 coordinates a
   * blind write v2 of the same key: its dot's counter is above v1's (the lease), and with the
   * same actor its context would cover v1's dot, so n2 would drop v1 as superseded, though no
   * client saw it. With a new epoch after the cut, v1 stays a sibling on n2.
   */
  @Test
  void aWriteThatAPowerCutTookFromItsCoordinatorIsNotDroppedByTheCoordinatorsNextWrite() {
    PowerCutEngine n1Disk = new PowerCutEngine();
    VersionedStore n1 = new VersionedStore(n1Disk, BUFFERED);
    VersionedStore n2 = new VersionedStore(new InMemoryStorageEngine(), BUFFERED);
    NodeIdentity before = NodeIdentity.loadOrCreate(n1Disk, "n1", random, "boot-1", BUFFERED);
    n2.merge(KEY, blindWrite(n1, before, "v1"));

    n1Disk.cut(); // v1's write on n1 was not synced
    assertThat(n1.get(KEY)).isEqualTo(VersionedObject.EMPTY);
    NodeIdentity after = NodeIdentity.loadOrCreate(n1Disk, "n1", random, "boot-2", BUFFERED);
    n2.merge(KEY, blindWrite(n1, after, "v2"));

    assertThat(n2.get(KEY).values()).extracting(String::new)
        .containsExactlyInAnyOrder("v1", "v2");
  }

  /** A write with the empty context, as the coordinator makes it on its own store. */
  private static VersionedObject blindWrite(VersionedStore store, NodeIdentity identity,
      String value) {
    return store.update(KEY, current -> {
      Dot dot = current.nextDot(identity.actor(), VersionVector.EMPTY,
          identity.nextCounterFloor());
      return current.write(VersionVector.EMPTY, null, dot, value.getBytes(StandardCharsets.UTF_8),
          1, 10);
    });
  }

  /**
   * An in-memory engine that loses every write not yet synced when {@link #cut} is called: a
   * SYNC write makes itself and everything before it durable, as a write-ahead log's fsync does.
   */
  private static final class PowerCutEngine extends ForwardingStorageEngine {
    PowerCutEngine() {
      super(new InMemoryStorageEngine());
    }

    /** Per unsynced mutation, newest last: its space, key and the value it replaced. */
    private final List<Object[]> unsynced = new ArrayList<>();

    @Override
    public void write(WriteBatch batch, Durability durability) {
      List<Object[]> befores = new ArrayList<>();
      for (WriteBatch.Mutation m : batch.mutations()) {
        befores.add(new Object[] {m.space(), m.key().clone(), delegate.get(m.space(), m.key())});
        delegate.write(m.isDelete() ? new WriteBatch().delete(m.space(), m.key())
            : new WriteBatch().put(m.space(), m.key(), m.value()), durability);
      }
      if (durability == Durability.SYNC) {
        unsynced.clear();
      } else {
        unsynced.addAll(befores);
      }
    }

    /** The power goes: every unsynced write is undone, newest first. */
    void cut() {
      for (int i = unsynced.size() - 1; i >= 0; i--) {
        Object[] b = unsynced.get(i);
        Space space = (Space) b[0];
        byte[] key = (byte[]) b[1];
        byte[] value = (byte[]) b[2];
        delegate.write(value == null ? new WriteBatch().delete(space, key)
            : new WriteBatch().put(space, key, value), Durability.SYNC);
      }
      unsynced.clear();
    }

  }
}
