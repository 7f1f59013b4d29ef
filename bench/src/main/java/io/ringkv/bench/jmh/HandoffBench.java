package io.ringkv.bench.jmh;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Not ringkv code: what the machine charges for handing work to a parked thread and getting the
 * answer back, the step a request takes between a network thread and a storage thread (and a
 * YCSB thread and the client's event loop). Nothing runs in the task, so the time is the two
 * wake-ups. Compare it with the same benchmark pinned to one CPU ({@code taskset -c 0}): the
 * difference is the cost of waking a thread on another (idle) CPU, which on a virtual machine
 * takes an exit to the hypervisor.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandoffBench {

  private ExecutorService other;

  @Setup
  public void setup() {
    other = Executors.newSingleThreadExecutor();
  }

  @TearDown
  public void tearDown() {
    other.shutdownNow();
  }

  /** To another thread and back: submit, the worker wakes and runs it, the caller wakes. */
  @Benchmark
  public Object roundTripToAnotherThread() {
    return CompletableFuture.supplyAsync(() -> Boolean.TRUE, other).join();
  }

  /** The same work on the calling thread, for scale. */
  @Benchmark
  public Object sameThread() {
    return CompletableFuture.supplyAsync(() -> Boolean.TRUE, Runnable::run).join();
  }
}
