package io.ringkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ringkv.cli.RingKvCli;
import io.ringkv.client.Context;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingKvClient;
import io.ringkv.client.WriteOptions;
import io.ringkv.server.antientropy.ExchangeResult;
import io.ringkv.storage.Cursor;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.Actor;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionVector;
import io.ringkv.version.VersionedObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anti-entropy between real nodes (RocksDB, gRPC on loopback), N=3 on three nodes so every node is
 * a home replica of every key. Hinted handoff is held off (its interval is a day): what diverges
 * stays diverged until anti-entropy repairs it.
 */
class AntiEntropyTest {

  private static final Map<String, String> BASE = Map.of(
      "failure-detector.probe-interval-ms", "200",
      "handoff.interval-ms", "86400000",
      "timeouts.replica-ms", "3000");

  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, String> with(Map<String, String> more) {
    Map<String, String> out = new HashMap<>(BASE);
    out.putAll(more);
    return out;
  }

  private static VersionedStore store(LocalCluster c, int i) {
    return c.node(i).localReplica().store();
  }

  /** A version written by {@code actor} with no past, merged into what is stored. */
  private static void writeStraightIntoStorage(VersionedStore s, String key, Actor actor,
      String value) {
    s.update(b(key), cur -> cur.merge(VersionedObject.EMPTY.write(VersionVector.EMPTY,
        VersionedObject.EMPTY.nextDot(actor, VersionVector.EMPTY, 0), b(value), 1, 10)));
  }

  private static long keysIn(VersionedStore s) {
    long n = 0;
    try (Cursor c = s.engine().scan(StorageEngine.Space.DATA, null, null)) {
      while (c.hasNext()) {
        c.next();
        n++;
      }
    }
    return n;
  }

  /** Waits until every node that is up has built the trees of all its partitions. */
  private static void awaitTreesBuilt(LocalCluster c) {
    await("every node's hash trees built").atMost(Duration.ofSeconds(60)).until(() -> {
      for (int n = 0; n < c.size(); n++) {
        if (!c.node(n).antiEntropy().status().partitions().stream()
            .allMatch(p -> p.treeReady())) {
          return false;
        }
      }
      return true;
    });
  }

  /**
   * A put, retried while the cluster answers UNAVAILABLE (on a loaded machine a node may briefly
   * suspect a healthy peer); returns the acknowledged context.
   */
  private static Context put(RingKvClient client, String key, String value, int w) {
    Context[] ack = new Context[1];
    await("put " + key).atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
        .ignoreExceptions().until(() -> {
      ack[0] = client.put(b(key), b(value), Context.EMPTY, WriteOptions.DEFAULTS.withW(w));
      return true;
    });
    return ack[0];
  }

  private static Set<String> values(VersionedObject o) {
    Set<String> out = new TreeSet<>();
    o.values().forEach(v -> out.add(new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  @Test
  void divergedReplicasConvergeWithoutLosingAcknowledgedWritesOrSiblings() throws Exception {
    try (LocalCluster c = new LocalCluster(dir, 3, with(Map.of(
        "anti-entropy.interval-ms", "100",
        "anti-entropy.max-keys-per-second", "100000")))) {
      c.stop(2); // n3 is cut off while the writes happen; its hints are never handed off
      RingKvClient client = c.clientOf(0);
      Map<String, Context> acks = new TreeMap<>();
      for (int i = 0; i < 2_000; i++) {
        acks.put("k" + i, put(client, "k" + i, "v" + i, 2));
      }
      // A restored backup on n2 holds other, concurrent versions of some keys, and n1 holds keys
      // nobody else has: written straight into storage, no replication at all.
      Actor backup = new Actor("backup", 1);
      for (int i = 0; i < 300; i++) {
        writeStraightIntoStorage(store(c, 1), "k" + i, backup, "b" + i);
      }
      for (int i = 0; i < 200; i++) {
        writeStraightIntoStorage(store(c, 0), "solo" + i, backup, "s" + i);
      }
      c.start(2);
      c.awaitAllUp();
      List<String> keys = new ArrayList<>(acks.keySet());
      for (int i = 0; i < 200; i++) {
        keys.add("solo" + i);
      }
      await("every replica of every key holds the same versions")
          .atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
          .until(() -> {
            for (String k : keys) {
              byte[] one = store(c, 0).getRaw(b(k));
              for (int n = 1; n < 3; n++) {
                if (!java.util.Arrays.equals(one, store(c, n).getRaw(b(k)))) {
                  return false;
                }
              }
            }
            return true;
          });
      for (int n = 0; n < 3; n++) {
        VersionedStore s = store(c, n);
        for (var e : acks.entrySet()) {
          var acked = VersionCodec.decodeContext(e.getValue().toBytes());
          VersionedObject o = s.get(b(e.getKey()));
          assertThat(o.covers(acked.dot()) && o.context().descends(acked.vector()))
              .as("%s holds the acknowledged write of %s", c.id(n), e.getKey()).isTrue();
          int i = Integer.parseInt(e.getKey().substring(1));
          assertThat(values(o)).as("%s on %s", e.getKey(), c.id(n))
              .isEqualTo(i < 300 ? Set.of("v" + i, "b" + i) : Set.of("v" + i));
        }
        for (int i = 0; i < 200; i++) {
          assertThat(values(s.get(b("solo" + i)))).containsExactly("s" + i);
        }
      }
      long repaired = 0;
      for (int n = 0; n < 3; n++) {
        repaired += c.node(n).antiEntropy().keysRepaired();
      }
      // n3 needed every key; n1 and n2 needed the other's extra versions.
      assertThat(repaired).isGreaterThanOrEqualTo(2_200 + 300 + 200);
      assertThat(c.node(2).metrics().scrape())
          .contains("ringkv_antientropy_keys_repaired_total")
          .contains("ringkv_antientropy_partition_last_exchange_age_seconds{")
          .contains("ringkv_antientropy_exchanges_total{");
      var status = c.node(2).antiEntropy().status();
      assertThat(status.partitions()).hasSize(64);
      assertThat(status.partitions()).allMatch(p -> p.treeReady());
    }
  }

  private static int cli(ByteArrayOutputStream out, String... args) {
    return cli(out, new ByteArrayOutputStream(), args);
  }

  private static int cli(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    out.reset();
    err.reset();
    return RingKvCli.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
  }

  private static long jsonNumber(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
    assertThat(m.find()).as("%s in %s", field, json).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void deletesStayDeletedThroughRepairAndTombstonesArePurgedOnceEveryReplicaHasThem() {
    try (LocalCluster c = new LocalCluster(dir, 3, with(Map.of(
        "anti-entropy.interval-ms", "3600000", // only the repairs below
        "handoff.max-hint-age-ms", "1000",
        "anti-entropy.tombstone-grace-ms", "10000")))) {
      RingKvClient client = c.clientOf(0);
      for (int i = 0; i < 200; i++) {
        put(client, "d" + i, "v" + i, 2);
      }
      // Every replica holds every value before the deletes (a copy may still be on its way).
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        for (int n = 0; n < 3; n++) {
          if (keysIn(store(c, n)) != 200) {
            return false;
          }
        }
        return true;
      });
      c.stop(2);
      for (int i = 0; i < 100; i++) {
        String key = "d" + i;
        await("delete " + key).atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
            .ignoreExceptions().until(() -> {
          Context seen = client.get(b(key), ReadOptions.DEFAULTS.withR(2)).context();
          client.delete(b(key), seen, WriteOptions.DEFAULTS.withW(2));
          return true;
        });
      }
      // A repair with n3 down skips every exchange with it: that is not a successful repair.
      await("n1 suspects n3").atMost(Duration.ofSeconds(30))
          .until(() -> !c.node(0).failureDetector().isUp("n3"));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      assertThat(cli(out, err, "admin", "repair", "--node", c.target(0), "--peer", "n3"))
          .isEqualTo(3);
      assertThat(out.toString(StandardCharsets.UTF_8))
          .startsWith("node n1: 64 exchanges (0 completed, 0 failed, 64 skipped), 0 keys repaired");
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("error: 64 of 64 exchanges did"
          + " not complete (0 failed, 64 skipped), first: n3 is unreachable");
      c.start(2);
      c.awaitAllUp();
      awaitTreesBuilt(c);
      assertThat(values(store(c, 2).get(b("d0")))).containsExactly("v0"); // n3 missed it

      assertThat(cli(out, "admin", "repair", "--node", c.target(2), "--json")).isZero();
      String json = out.toString(StandardCharsets.UTF_8);
      assertThat(jsonNumber(json, "keys_repaired")).isEqualTo(100);
      assertThat(jsonNumber(json, "failed")).isZero();
      assertThat(jsonNumber(json, "skipped")).isZero();
      // Text, one partition, one peer: nothing left to repair there; and a usage mistake.
      assertThat(cli(out, err, "admin", "repair", "--node", c.target(2), "--partition", "5",
          "--peer", "n1")).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8))
          .startsWith("node n3: 1 exchanges (1 completed, 0 failed, 0 skipped), 0 keys repaired")
          .contains("partition  peer");
      assertThat(cli(out, err, "admin", "repair", "--node", c.target(2), "--partition", "64"))
          .isEqualTo(3);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .contains("INVALID_ARGUMENT: partition must be between 0 and 63, got 64");
      for (int i = 0; i < 200; i++) {
        for (int n = 0; n < 3; n++) {
          VersionedObject o = store(c, n).get(b("d" + i));
          if (i < 100) {
            // A tombstone (or nothing, if it was already purged on a slow machine).
            assertThat(o.values()).as("d%d on %s: deleted, not resurrected", i, c.id(n))
                .isEmpty();
          } else {
            assertThat(values(o)).containsExactly("v" + i);
          }
        }
      }
      // Once the grace has passed and every home replica holds each tombstone, exchanges purge
      // them everywhere; the deleted keys never come back, the others stay.
      await("tombstones purged on every replica").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            for (int n = 0; n < 3; n++) {
              c.node(n).antiEntropy().repair(null, null).join();
            }
            for (int n = 0; n < 3; n++) {
              if (keysIn(store(c, n)) != 100) {
                return false;
              }
            }
            return true;
          });
      for (int n = 0; n < 3; n++) {
        assertThat(c.node(n).antiEntropy().repair(null, null).join())
            .allMatch(r -> r.outcome() == ExchangeResult.Outcome.COMPLETED
                && r.keysDiffering() == 0);
        for (int i = 0; i < 100; i++) {
          assertThat(store(c, n).getRaw(b("d" + i))).isNull();
        }
      }
      assertThat(client.get(b("d7"), ReadOptions.DEFAULTS.withR(3)).found()).isFalse();
      assertThat(client.get(b("d107"), ReadOptions.DEFAULTS.withR(3)).stringValues())
          .containsExactly("v107");
      long purged = 0;
      for (int n = 0; n < 3; n++) {
        purged += c.node(n).antiEntropy().tombstonesPurged();
      }
      assertThat(purged).isEqualTo(300);
    }
  }

  @Test
  void anExchangeWhosePeerIsKilledMidwayLeavesBothConsistentAndTheNextOneCompletes()
      throws Exception {
    try (LocalCluster c = new LocalCluster(dir, 3, with(Map.of(
        "anti-entropy.interval-ms", "3600000",
        "anti-entropy.max-keys-per-second", "500")))) {
      Actor backup = new Actor("backup", 1);
      for (int i = 0; i < 3_000; i++) {
        writeStraightIntoStorage(store(c, 0), "x" + i, backup, "x" + i);
      }
      awaitTreesBuilt(c);
      CompletableFuture<List<ExchangeResult>> first = c.node(0).antiEntropy().repair(null, "n2");
      await().atMost(Duration.ofSeconds(30)).until(() -> keysIn(store(c, 1)) >= 300);
      c.stop(1); // n2 goes away mid-exchange
      List<ExchangeResult> results = first.get(60, TimeUnit.SECONDS);
      assertThat(results).as("%s", results)
          .anyMatch(r -> r.outcome() == ExchangeResult.Outcome.FAILED);
      assertThat(results).noneMatch(r -> r.outcome() == ExchangeResult.Outcome.COMPLETED
          && r.keysDiffering() > 0 && r.keysRepaired() < r.keysDiffering());

      c.start(1);
      c.awaitAllUp();
      awaitTreesBuilt(c);
      // What n2 received before it went away is exactly n1's version; n1 lost nothing.
      VersionedStore n2 = store(c, 1);
      long had = keysIn(n2);
      assertThat(had).isBetween(300L, 2_999L);
      for (int i = 0; i < 3_000; i++) {
        byte[] k = b("x" + i);
        assertThat(values(store(c, 0).get(k))).containsExactly("x" + i);
        byte[] there = n2.getRaw(k);
        if (there != null) {
          assertThat(there).isEqualTo(store(c, 0).getRaw(k));
        }
      }
      // n1's failure detector may still count calls that failed while n2 restarted (then the
      // repair skips n2): repeat until every exchange with n2 completes.
      long[] repaired = new long[1];
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        List<ExchangeResult> second = c.node(0).antiEntropy().repair(null, "n2")
            .get(60, TimeUnit.SECONDS);
        repaired[0] += second.stream().mapToLong(ExchangeResult::keysRepaired).sum();
        return second.stream().allMatch(r -> r.outcome() == ExchangeResult.Outcome.COMPLETED);
      });
      assertThat(repaired[0]).isEqualTo(3_000 - had);
      for (int i = 0; i < 3_000; i++) {
        assertThat(n2.getRaw(b("x" + i))).isEqualTo(store(c, 0).getRaw(b("x" + i)));
      }
    }
  }
}
