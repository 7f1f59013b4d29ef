package io.ringkv.bench.jmh;

import io.ringkv.env.Clock;
import io.ringkv.server.antientropy.HashTrees;
import io.ringkv.server.antientropy.MerkleTree;
import io.ringkv.server.antientropy.TreeShape;
import io.ringkv.storage.InMemoryStorageEngine;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What anti-entropy adds to every write: the hash of a stored key (its storage key and the ~1.1 KB
 * encoded object, XXH64), the leaf update (an atomic XOR on each of the tree's levels), and the
 * whole change notification the store makes under the key's lock ({@code HashTrees.changed}: two
 * key hashes, the old and the new object's, the XOR into the partition's tree, the tombstone
 * check).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MerkleBench {

  @Param({"1024", "65536"})
  public int leaves;

  private MerkleTree tree;
  private HashTrees trees;
  private byte[] storageKey;
  private byte[] before;
  private byte[] after;
  private VersionedObject afterObject;
  private int leaf;

  @Setup
  public void setup() {
    tree = new MerkleTree(leaves);
    byte[] key = "user6284781860667377211".getBytes(StandardCharsets.UTF_8);
    storageKey = VersionedStore.storageKey(key);
    byte[] value = Versions.value(1024);
    VersionedObject old = Versions.history(3, value);
    afterObject = Versions.write(old, 0, value);
    before = VersionCodec.encodeObject(old);
    after = VersionCodec.encodeObject(afterObject);
    TreeShape shape = new TreeShape(256, leaves);
    leaf = shape.leafOf(VersionedStore.token(storageKey));
    Clock clock = new Clock() {
      @Override
      public long wallMillis() {
        return Versions.NOW;
      }

      @Override
      public long monotonicNanos() {
        return 0;
      }
    };
    trees = new HashTrees(new VersionedStore(new InMemoryStorageEngine(),
        StorageEngine.Durability.BUFFERED), shape, Runnable::run, clock, Duration.ofDays(7));
    Set<Integer> all = new TreeSet<>();
    for (int p = 0; p < 256; p++) {
      all.add(p);
    }
    trees.retain(all);
    while (trees.buildNext() >= 0) {
      // builds the (empty) trees inline
    }
  }

  /** XXH64 of the storage key, then of the encoded object. */
  @Benchmark
  public long keyHash() {
    return MerkleTree.keyHash(storageKey, after);
  }

  /** The XOR into a leaf and its ancestors. */
  @Benchmark
  public void toggle() {
    tree.toggle(leaf, 0x9E3779B97F4A7C15L);
  }

  /** All a write costs the trees: remove the old hash, add the new, tombstone bookkeeping. */
  @Benchmark
  public void changeNotification() {
    trees.changed(storageKey, before, after, afterObject);
  }
}
