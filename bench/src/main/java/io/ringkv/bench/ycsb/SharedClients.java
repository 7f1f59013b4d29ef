package io.ringkv.bench.ycsb;

import io.ringkv.client.RingKvClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The clients of one YCSB process, shared by its threads and counted. YCSB makes one {@code DB}
 * per thread, but a {@link RingKvClient} is thread-safe and multiplexes every call over one HTTP/2
 * connection per node: 16 clients would mean 16 connections per node and 16 ring fetches for no
 * gain, so the threads share one client per target and the last {@code cleanup} closes it.
 */
final class SharedClients {

  private record Key(String target, boolean routing, Duration timeout) {}

  private static final class Counted {
    final RingKvClient client;
    int references;

    Counted(RingKvClient client) {
      this.client = client;
    }
  }

  private static final Map<Key, Counted> CLIENTS = new HashMap<>();

  private SharedClients() {}

  static synchronized RingKvClient acquire(String target, boolean routing, Duration timeout) {
    Counted c = CLIENTS.computeIfAbsent(new Key(target, routing, timeout), k -> new Counted(
        RingKvClient.builder()
            .target(k.target)
            .routing(k.routing)
            .defaultTimeout(k.timeout)
            .build()));
    c.references++;
    return c.client;
  }

  static synchronized void release(String target, boolean routing, Duration timeout) {
    Key key = new Key(target, routing, timeout);
    Counted c = CLIENTS.get(key);
    if (c != null && --c.references == 0) {
      CLIENTS.remove(key);
      c.client.close();
    }
  }
}
