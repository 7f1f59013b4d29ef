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

  private volatile WriteListener writes = WriteListener.NOBODY;
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

  /**
   * The stored object. A key the store's object cache holds is answered on the calling thread:
   * no storage work, and no hand-off to a storage thread and back (two thread wake-ups).
   */
  @Override
  public CompletableFuture<VersionedObject> read(byte[] key) {
    VersionedObject cached = store.peekCached(key);
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    return CompletableFuture.supplyAsync(() -> store.get(key), storageExecutor);
  }

  /**
   * The stored encoding of {@code key}'s object ({@link io.ringkv.version.VersionCodec}), or null:
   * a read for another node ships the bytes as stored instead of decoding them only to encode
   * them again.
   */
  public CompletableFuture<byte[]> readEncoded(byte[] key) {
    byte[] cached = store.peekCachedRaw(key);
    if (cached != null) {
      return CompletableFuture.completedFuture(cached.length == 0 ? null : cached);
    }
    return CompletableFuture.supplyAsync(() -> store.getRaw(key), storageExecutor);
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
   * Hears of the writes to this node's own data (not hints): data transfer forwards the writes of
   * a moving partition to its new home replicas, and this node must keep its copy of such a key
   * until the forward is acknowledged.
   */
  public interface WriteListener {
    WriteListener NOBODY = new WriteListener() {
      @Override
      public boolean forwards(byte[] key) {
        return false;
      }

      @Override
      public void written(byte[] key, VersionedObject stored, Pin pin) {
        if (pin != null) {
          pin.release();
        }
      }
    };

    /**
     * Asked before a write of {@code key}: whether it would be forwarded now. If so, the key is
     * {@linkplain #pin pinned} before the write, so that a drop of the key's partition (which
     * skips pinned keys, {@link #isPinned}) either comes before the write or keeps its result:
     * never deletes a write this node acknowledges while its forward is still on the wire.
     * Must be quick (it is asked on every write).
     */
    boolean forwards(byte[] key);

    /**
     * After a write that changed the data, with the object as stored, on the storage thread that
     * made it (before the write is answered). {@code pin}: the pin taken because {@link #forwards}
     * said yes, or null; the listener owns it and releases it (at once if it does not forward).
     * A merge that brought nothing new is not told: two nodes that see a ring change differently
     * (one still forwards for the commit before, the other already for the change queued on top
     * of it) may each be the other's new home replica of a partition, and would otherwise forward
     * one write back and forth for as long as their views differ. Must not block.
     */
    void written(byte[] key, VersionedObject stored, Pin pin);
  }

  /** Sets the one listener of writes (data transfer). */
  public void onWrite(WriteListener listener) {
    this.writes = listener == null ? WriteListener.NOBODY : listener;
  }

  @Override
  public CompletableFuture<Void> merge(byte[] key, VersionedObject object) {
    return CompletableFuture.runAsync(() -> write(key, current -> {
      VersionedObject next = current.merge(object);
      // Unchanged: hand back the stored object itself, which the store takes as "nothing to
      // write" without comparing the two again.
      return next.equals(current) ? current : next;
    }), storageExecutor);
  }

  /** Atomically applies {@code change} to the stored object; see {@link VersionedStore#update}. */
  public CompletableFuture<VersionedObject> update(
      byte[] key, UnaryOperator<VersionedObject> change) {
    return CompletableFuture.supplyAsync(() -> write(key, change), storageExecutor);
  }

  /**
   * Writes on this thread and tells the listener if the write changed the data ({@code change}
   * did not hand back its argument), pinning the key first if the listener forwards its writes.
   */
  private VersionedObject write(byte[] key, UnaryOperator<VersionedObject> change) {
    WriteListener listener = writes;
    Pin pin = listener.forwards(key) ? pin(key) : null;
    try {
      boolean[] changed = {false};
      VersionedObject stored = store.update(key, current -> {
        VersionedObject next = change.apply(current);
        changed[0] = next != current;
        return next;
      });
      if (changed[0]) {
        Pin handed = pin;
        pin = null;
        listener.written(key, stored, handed);
      }
      return stored;
    } finally {
      if (pin != null) {
        pin.release();
      }
    }
  }

  @Override
  public CompletableFuture<Void> hint(byte[] key, VersionedObject object, String homeReplica) {
    return CompletableFuture.runAsync(
        () -> hints.merge(homeReplica, key, object, clock.wallMillis()), storageExecutor);
  }

  /**
   * Keeps this node's copy of {@code key} until the pin is released: data transfer, dropping a
   * partition a ring change moved away, skips pinned keys ({@link #isPinned}). A write round the
   * node coordinates pins its key while it counts the node's own copy toward W, and a write
   * forwarded to a partition's new home replica stays pinned until the forward is acknowledged
   * (or kept as a hint). A key may be pinned several times; each pin is released once.
   */
  public Pin pin(byte[] key) {
    ByteBuffer k = ByteBuffer.wrap(key.clone());
    synchronized (pins) {
      pins.merge(k, 1, Integer::sum);
    }
    return new Pin(k);
  }

  /** Whether {@code key} is pinned now. */
  public boolean isPinned(byte[] key) {
    ByteBuffer k = ByteBuffer.wrap(key);
    synchronized (pins) {
      return pins.containsKey(k);
    }
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
}
