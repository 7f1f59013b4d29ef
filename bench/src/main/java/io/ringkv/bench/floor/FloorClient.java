package io.ringkv.bench.floor;

import io.grpc.ManagedChannel;
import io.ringkv.server.grpc.NetworkThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The floor's load: YCSB's closed loop (each thread sends a request and waits for its answer),
 * half reads and half updates as workload A, an update being a read and then a write as in
 * ringkv's YCSB binding; each request to a node picked at random (with N=3 on three nodes every
 * node is a home replica of every key), over one stream per node on one network
 * thread (as ringkv's client on two cores). Optionally throttled to a total rate as YCSB's
 * {@code -target}: each thread waits for its next slot, and a request's latency counts from when
 * it was sent (as YCSB measures). Prints the latency quantiles of the measured part; the last
 * line as {@code scripts/bench.sh}'s.
 *
 * <p>{@code FloorClient THREADS TARGET_OPS_PER_SEC(0: none) WARMUP_SECONDS SECONDS HOST:PORT...}
 */
public final class FloorClient {

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println(
          "usage: FloorClient THREADS TARGET_OPS WARMUP_SECONDS SECONDS HOST:PORT [HOST:PORT ...]");
      System.exit(2);
    }
    int threads = Integer.parseInt(args[0]);
    double target = Double.parseDouble(args[1]);
    long warmupNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[2]));
    long measureNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
    NetworkThreads network = NetworkThreads.start("client", 1);
    List<ManagedChannel> channels = new ArrayList<>();
    List<Streams> nodes = new ArrayList<>();
    for (int i = 4; i < args.length; i++) {
      ManagedChannel c = network.channel(args[i]).usePlaintext().directExecutor().build();
      channels.add(c);
      nodes.add(new Streams(c, Frames.SESSION));
    }
    long start = System.nanoTime();
    long measureFrom = start + warmupNanos;
    long end = measureFrom + measureNanos;
    long interval = target > 0 ? (long) (threads * 1e9 / target) : 0;
    Histogram[] each = new Histogram[threads];
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
      each[t] = h;
      long offset = interval * t / threads;
      workers[t] = new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long next = start + offset;
        while (true) {
          if (interval > 0) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
            next += interval;
          }
          long sent = System.nanoTime();
          if (sent >= end) {
            return;
          }
          // An update is a read and then a write (RingKvDB.update: the put carries the get's
          // context), each to a node picked at random; YCSB times the two together.
          boolean update = random.nextBoolean();
          nodes.get(random.nextInt(nodes.size())).call(Frames.READ).join();
          if (update) {
            nodes.get(random.nextInt(nodes.size())).call(Frames.WRITE).join();
          }
          if (sent >= measureFrom) {
            h.recordValue(Math.min(System.nanoTime() - sent, h.getHighestTrackableValue()));
          }
        }
      }, "load-" + t);
      workers[t].start();
    }
    for (Thread w : workers) {
      w.join();
    }
    Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    for (Histogram h : each) {
      all.add(h);
    }
    nodes.forEach(Streams::close);
    channels.forEach(ManagedChannel::shutdownNow);
    double seconds = measureNanos / 1e9;
    double p50 = ms(all.getValueAtPercentile(50));
    double p999 = ms(all.getValueAtPercentile(99.9));
    System.out.printf(Locale.ROOT, "floor: %d requests measured in %.0f s; mean %.2f ms, p50 %.2f,"
            + " p99 %.2f, p99.9 %.2f (%.1fx the p50), max %.2f%n", all.getTotalCount(), seconds,
        all.getMean() / 1e6, p50, ms(all.getValueAtPercentile(99)), p999, p999 / p50,
        ms(all.getMaxValue()));
    System.out.printf(Locale.ROOT, "ops_per_sec=%.0f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f%n",
        all.getTotalCount() / seconds, p50, ms(all.getValueAtPercentile(99)), p999);
    network.close();
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private FloorClient() {}
}
