package io.ringkv.server.antientropy;

import io.ringkv.env.Clock;
import io.ringkv.env.Scheduler;
import io.ringkv.ring.Ring;
import io.ringkv.storage.InMemoryStorageEngine;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.Actor;
import io.ringkv.version.VersionVector;
import io.ringkv.version.VersionedObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Home replicas wired to each other in memory for exchange tests: real stores (in-memory engine),
 * real {@link AntiEntropy} instances calling each other directly, every executor inline, a clock
 * the test sets. Background rounds never run (their interval is an hour and this scheduler drops
 * such long timers); rate-limit waits (short) run inline at once.
 */
final class Replicas {

  static final class TestClock implements Clock {
    long wall = 1_000_000_000L;
    long mono;

    @Override
    public long wallMillis() {
      return wall;
    }

    @Override
    public long monotonicNanos() {
      return mono += 1_000; // every reading a microsecond later
    }
  }

  static final Scheduler INLINE = new Scheduler() {
    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      if (delay.compareTo(Duration.ofSeconds(1)) < 0) {
        task.run();
      }
      return () -> { };
    }

    @Override
    public void execute(Runnable task) {
      task.run();
    }
  };

  final TestClock clock = new TestClock();
  final Map<String, VersionedStore> stores = new TreeMap<>();
  final Map<String, AntiEntropy> nodes = new TreeMap<>();
  /** How each node reaches each other; tests may wrap a peer (to cut it off mid-exchange). */
  final Map<String, Function<AntiEntropyPeer, AntiEntropyPeer>> wrap = new TreeMap<>();
  /** Nodes every node's failure detector considers down. */
  final java.util.Set<String> down = new java.util.TreeSet<>();
  final Ring ring;

  Replicas(int partitions, int leaves, Duration grace, String... ids) {
    Map<String, Integer> weights = new TreeMap<>();
    for (String id : ids) {
      weights.put(id, 1);
    }
    ring = Ring.initial(partitions, ids.length, weights); // every node a home replica of all
    for (String id : ids) {
      stores.put(id, new VersionedStore(new InMemoryStorageEngine(),
          StorageEngine.Durability.BUFFERED));
    }
    for (String id : ids) {
      AntiEntropy.Settings settings = new AntiEntropy.Settings(true, Duration.ofHours(1),
          1_000_000_000, leaves, Duration.ofDays(7), grace, Duration.ofSeconds(30));
      nodes.put(id, new AntiEntropy(id, stores.get(id), Runnable::run, () -> ring, n -> !down.contains(n),
          peer -> wrap.getOrDefault(id + ">" + peer, p -> p).apply(nodes.get(peer)),
          INLINE, clock, settings, r -> { }));
    }
  }

  void start() {
    nodes.values().forEach(AntiEntropy::start);
  }

  VersionedStore store(String id) {
    return stores.get(id);
  }

  AntiEntropy node(String id) {
    return nodes.get(id);
  }

  List<ExchangeResult> repair(String on, Integer partition, String peer) {
    return node(on).repair(partition, peer).join();
  }

  /** A new write by {@code actor} on top of what {@code seen} covers (null value: a delete). */
  static VersionedObject write(VersionedObject current, VersionVector seen, Actor actor,
      byte[] value, long nowMillis) {
    return current.write(seen, current.nextDot(actor, seen, 0), value, nowMillis, 10);
  }

  static List<String> keysOf(VersionedStore s) {
    List<String> out = new ArrayList<>();
    try (var c = s.engine().scan(StorageEngine.Space.DATA, null, null)) {
      while (c.hasNext()) {
        out.add(new String(VersionedStore.userKey(c.next().key()),
            java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
