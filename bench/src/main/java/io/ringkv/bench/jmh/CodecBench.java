package io.ringkv.bench.jmh;

import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionCodec.ClientContext;
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
 * The codecs on every request: the client context (encoded by each get and put answer, decoded
 * by each put) and the stored object (decoded by each replica read and write, encoded by each
 * write and each replica read answer), with a 1 KiB value like a YCSB record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBench {

  @Param({"3", "5", "10"})
  public int entries;

  private ClientContext context;
  private byte[] encodedContext;
  private VersionedObject object;
  private byte[] encodedObject;

  @Setup
  public void setup() {
    object = Versions.history(entries, Versions.value(1024));
    context = new ClientContext(object.context(), "n1");
    encodedContext = VersionCodec.encodeContext(context);
    encodedObject = VersionCodec.encodeObject(object);
  }

  @Benchmark
  public byte[] encodeContext() {
    return VersionCodec.encodeContext(context);
  }

  @Benchmark
  public ClientContext decodeContext() {
    return VersionCodec.decodeContext(encodedContext);
  }

  /**
   * An object keeps its encoding once made, so encoding the same one again costs nothing: each
   * call encodes a fresh copy. {@link #copyObject} is what the copy alone costs.
   */
  @Benchmark
  public byte[] encodeObject() {
    return VersionCodec.encodeObject(VersionedObject.of(object.context(), object.siblings()));
  }

  @Benchmark
  public VersionedObject copyObject() {
    return VersionedObject.of(object.context(), object.siblings());
  }

  @Benchmark
  public VersionedObject decodeObject() {
    return VersionCodec.decodeObject(encodedObject);
  }
}
