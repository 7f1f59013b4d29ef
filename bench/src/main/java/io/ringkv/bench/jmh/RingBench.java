package io.ringkv.bench.jmh;

import io.ringkv.ring.KeyHash;
import io.ringkv.ring.Ring;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Key to preference list, as every request does it (coordinator, and the routing client): a
 * 256-partition ring of 5 equal nodes, N=3. Keys are YCSB-shaped and cycle through 4,096 of them,
 * so the cost is that of a fresh key, not a cached one. {@code token} isolates the MD5.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingBench {

  private static final int KEYS = 4096; // power of two

  private Ring ring;
  private byte[][] keys;
  private int next;

  @Setup
  public void setup() {
    ring = Ring.initial(256, 3, Map.of("n1", 1, "n2", 1, "n3", 1, "n4", 1, "n5", 1));
    ring.preferenceList(0); // the table is built on first use: keep that out of the timing
    SplittableRandom random = new SplittableRandom(42);
    keys = new byte[KEYS][];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = ("usertable/user" + random.nextLong(Long.MAX_VALUE))
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  @Benchmark
  public List<String> preferenceList() {
    return ring.preferenceList(keys[next++ & (KEYS - 1)]);
  }

  @Benchmark
  public long token() {
    return KeyHash.token(keys[next++ & (KEYS - 1)]);
  }
}
