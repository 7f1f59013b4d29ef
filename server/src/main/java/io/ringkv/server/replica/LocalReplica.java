package io.ringkv.server.replica;

import io.ringkv.env.Clock;
import io.ringkv.storage.HintStore;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.VersionedObject;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * This node's own replica: the {@link VersionedStore} of its data and the {@link HintStore} of
 * what it holds for others, with every call run on the storage executor so that disk work never
 * runs on a network thread and callers never wait.
 */
public final class LocalReplica implements Replica {

  private final VersionedStore store;
  private final HintStore hints;
  private final Executor storageExecutor;
  private final Clock clock;

  private volatile BiConsumer<byte[], VersionedObject> writes = (key, stored) -> {};
  /** Pinned keys and how many pins each has (guarded by itself). */
  private final Map<ByteBuffer, Integer> pins = new HashMap<>();

  public LocalReplica(VersionedStore store, HintStore hints, Executor storageExecutor, Clock clock) {
    this.store = store;
    this.hints = hints;
    this.storageExecutor = storageExecutor;
    this.clock = clock;
  }

  public VersionedStore store() {
    return store;
  }

  public HintStore hints() {
    return hints;
  }

  public Executor storageExecutor() {
    return storageExecutor;
  }

  @Override
  public CompletableFuture<VersionedObject> read(byte[] key) {
    return CompletableFuture.supplyAsync(() -> store.get(key), storageExecutor);
  }

  @Override
  public CompletableFuture<VersionedObject> readHints(byte[] key, List<String> homeReplicas) {
    return CompletableFuture.supplyAsync(() -> {
      VersionedObject merged = VersionedObject.EMPTY;
      for (String node : homeReplicas) {
        merged = merged.merge(hints.get(node, key));
      }
      return merged;
    }, storageExecutor);
  }

  /**
   * Told of every write to this node's own data (not hints) that changed it, with the object as
   * stored, on the storage thread that made it: data transfer forwards writes to a partition's
   * new home replica. A merge that brought nothing new is not told: two nodes that see a ring
   * change differently (one still forwards for the commit before, the other already for the
   * change queued on top of it) may each be the other's new home replica of a partition, and
   * would otherwise forward one write back and forth for as long as their views differ. Must not
   * block.
   */
  public void onWrite(BiConsumer<byte[], VersionedObject> listener) {
    this.writes = listener;
  }

  @Override
  public CompletableFuture<Void> merge(byte[] key, VersionedObject object) {
    return CompletableFuture.runAsync(() -> {
      boolean[] changed = {false};
      VersionedObject stored = store.update(key, current -> {
        VersionedObject next = current.merge(object);
        changed[0] = !next.equals(current);
        // Unchanged: hand back the stored object itself, which the store takes as "nothing to
        // write" without comparing the two again.
        return changed[0] ? next : current;
      });
      if (changed[0]) {
        written(key, stored);
      }
    }, storageExecutor);
  }

  private VersionedObject written(byte[] key, VersionedObject stored) {
    writes.accept(key, stored);
    return stored;
  }

  @Override
  public CompletableFuture<Void> hint(byte[] key, VersionedObject object, String homeReplica) {
    return CompletableFuture.runAsync(
        () -> hints.merge(homeReplica, key, object, clock.wallMillis()), storageExecutor);
  }

  /**
   * Keeps this node's copy of {@code key} until the pin is released: a write round the node
   * coordinates counts the node's own copy toward W, so data transfer must not drop the key's
   * partition (after a ring change moved it away) while the round runs ({@link #pinnedKeys()}).
   * A key may be pinned several times; each pin is released once.
   */
  public Pin pin(byte[] key) {
    ByteBuffer k = ByteBuffer.wrap(key.clone());
    synchronized (pins) {
      pins.merge(k, 1, Integer::sum);
    }
    return new Pin(k);
  }

  /** The keys pinned now (a snapshot, in no particular order). */
  public List<byte[]> pinnedKeys() {
    synchronized (pins) {
      List<byte[]> out = new ArrayList<>(pins.size());
      for (ByteBuffer k : pins.keySet()) {
        out.add(k.array().clone());
      }
      return out;
    }
  }

  /** One pin of a key; {@link #release()} is idempotent. */
  public final class Pin {
    private final ByteBuffer key;
    private boolean released;

    private Pin(ByteBuffer key) {
      this.key = key;
    }

    public void release() {
      synchronized (pins) {
        if (released) {
          return;
        }
        released = true;
        pins.computeIfPresent(key, (k, count) -> count == 1 ? null : count - 1);
      }
    }
  }

  /** Atomically applies {@code change} to the stored object; see {@link VersionedStore#update}. */
  public CompletableFuture<VersionedObject> update(
      byte[] key, UnaryOperator<VersionedObject> change) {
    return CompletableFuture.supplyAsync(() -> written(key, store.update(key, change)),
        storageExecutor);
  }
}
