package io.ringkv.bench.jmh;

import io.ringkv.version.Order;
import io.ringkv.version.VersionVector;
import io.ringkv.version.VersionedObject;
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
 * Version vector compare and merge, and the replica-side object merge, with 3 to 10 clock entries
 * (N=3 keeps 3; the truncation limit is 10). The object cases are the ones a request meets: a read
 * merges R replies that are usually equal; a replica merges a newer version (descends); a blind
 * write meets a concurrent one (two siblings).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VersionBench {

  @Param({"3", "5", "10"})
  public int entries;

  private VersionVector base;
  private VersionVector newer;
  private VersionVector concurrent;
  private VersionedObject stored;
  private VersionedObject storedCopy;
  private VersionedObject next;
  private VersionedObject sibling;

  @Setup
  public void setup() {
    byte[] value = Versions.value(1024);
    stored = Versions.history(entries, value);
    // Decoded copies are distinct objects: equal by content, not by identity.
    storedCopy = Versions.history(entries, value);
    next = Versions.write(stored, 0, value);
    sibling = Versions.blindWrite(stored, 1, value);
    base = stored.context();
    newer = next.context();
    concurrent = Versions.write(stored, 1, value).context().merge(base);
    if (base.compare(newer) != Order.BEFORE || next.context().compare(
        Versions.write(stored, 1, value).context()) != Order.CONCURRENT) {
      throw new IllegalStateException("benchmark versions are not shaped as intended");
    }
  }

  @Benchmark
  public Order compareDescends() {
    return newer.compare(base);
  }

  @Benchmark
  public Order compareConcurrent() {
    return newer.compare(concurrent);
  }

  @Benchmark
  public VersionVector mergeVectors() {
    return newer.merge(concurrent);
  }

  /** Read path: R replies that agree. */
  @Benchmark
  public VersionedObject mergeObjectsEqual() {
    return stored.merge(storedCopy);
  }

  /** Replication: a replica receives the coordinator's newer version. */
  @Benchmark
  public VersionedObject mergeObjectsNewer() {
    return stored.merge(next);
  }

  /** Two concurrent writes meet: the result keeps both as siblings. */
  @Benchmark
  public VersionedObject mergeObjectsConcurrent() {
    return next.merge(sibling);
  }
}
