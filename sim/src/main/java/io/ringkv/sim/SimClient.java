package io.ringkv.sim;

import io.ringkv.server.coordinator.Coordinator.ReadResult;
import io.ringkv.version.Actor;
import io.ringkv.version.Dot;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionCodec.ClientContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A client running a random workload, one request at a time, against a random node each time
 * (it does not know which nodes are up). On the read-modify-write keys it only ever writes with
 * the context of a get it just made; on the mixed keys it also writes blind, with stale contexts
 * from older gets, with the context a put returned (if enabled), and deletes. It gives up on a
 * request after a deadline, which leaves the write's outcome unknown, as for a real client.
 */
final class SimClient {

  private static final int STALE_READS_KEPT = 8;

  final String id;
  private final Scenario scenario;
  private final EventQueue queue;
  private final SimCluster cluster;
  private final History history;
  private final EventLog log;
  private final SplittableRandom rng;
  private final Map<String, List<GetOp>> reads = new TreeMap<>();
  private final Map<String, PutOp> lastAcked = new TreeMap<>();
  private long endNanos;
  private int seq;

  SimClient(String id, Scenario scenario, EventQueue queue, SimCluster cluster, History history,
      EventLog log, SplittableRandom rng) {
    this.id = id;
    this.scenario = scenario;
    this.queue = queue;
    this.cluster = cluster;
    this.history = history;
    this.log = log;
    this.rng = rng;
  }

  /** Starts issuing requests until {@code endNanos}; the request in flight then still finishes. */
  void start(long endNanos) {
    this.endNanos = endNanos;
    queue.after(rng.nextLong(scenario.thinkMaxNanos()), null, this::next);
  }

  private void next() {
    if (queue.now() >= endNanos) {
      return;
    }
    Runnable then = () -> queue.after(rng.nextLong(scenario.thinkMaxNanos()), null, this::next);
    List<String> keys = scenario.keys();
    String key = keys.get(rng.nextInt(keys.size()));
    int dice = rng.nextInt(100);
    if (scenario.freshKeys().contains(key)) {
      if (dice < 40) {
        get(key, 0, g -> then.run());
      } else {
        readModifyWrite(key, false, 0, 0, then);
      }
      return;
    }
    int r = rng.nextInt(5) == 0 ? 1 + rng.nextInt(3) : 0;
    int w = rng.nextInt(7) == 0 ? 1 + rng.nextInt(3) : 0;
    GetOp stale = staleRead(key);
    PutOp chain = lastAcked.get(key);
    if (dice < 20) {
      get(key, r, g -> then.run());
    } else if (dice < 40) {
      readModifyWrite(key, false, r, w, then);
    } else if (dice < 55) {
      put(key, newValue(key), PutOp.Source.BLIND, null, null, new byte[0], w, then);
    } else if (dice < 65 && stale != null) {
      put(key, newValue(key), PutOp.Source.READ, stale, null, stale.context, w, then);
    } else if (dice < 75 && scenario.chainWrites() && chain != null) {
      put(key, newValue(key), PutOp.Source.PUT, null, chain, chain.contextOut, w, then);
    } else if (dice < 85) {
      readModifyWrite(key, true, r, w, then);
    } else if (dice < 90) {
      put(key, null, PutOp.Source.BLIND, null, null, new byte[0], w, then);
    } else if (stale != null) {
      put(key, null, PutOp.Source.READ, stale, null, stale.context, w, then);
    } else {
      readModifyWrite(key, rng.nextBoolean(), r, w, then);
    }
  }

  /** A get, then (if it succeeded) a put or delete with exactly the context it returned. */
  private void readModifyWrite(String key, boolean delete, int r, int w, Runnable then) {
    get(key, r, g -> {
      if (!g.ok) {
        then.run();
        return;
      }
      put(key, delete ? null : newValue(key), PutOp.Source.READ, g, null, g.context, w, then);
    });
  }

  private void get(String key, int r, Consumer<GetOp> then) {
    String node = pickNode();
    GetOp g = history.newGet(id, key, r, node, queue.now());
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    EventQueue.Event timeout = queue.after(scenario.clientTimeoutNanos(), null, () -> {
      if (!g.done) {
        finish(g, null, "client deadline passed");
        then.accept(g);
      }
    });
    cluster.transport.<ReadResult>clientCall(id, node, g::toString,
        n -> g.homeTargets = n.considersUp(cluster.home(n, k)),
        n -> n.coordinator.get(k, r),
        (n, result) -> { },
        (result, error) -> {
          if (!g.done) {
            timeout.cancel();
            finish(g, result, error == null ? null : SimTransport.describe(error));
            then.accept(g);
          }
        });
  }

  private void finish(GetOp g, ReadResult result, String error) {
    g.done = true;
    g.doneNanos = queue.now();
    g.doneStep = history.nextStep();
    if (result != null) {
      g.ok = true;
      g.object = result.object();
      g.context = result.context();
      List<GetOp> kept = reads.computeIfAbsent(g.key, x -> new ArrayList<>());
      kept.add(g);
      if (kept.size() > STALE_READS_KEPT) {
        kept.remove(0);
      }
      log.add(() -> id + " " + g + " -> " + g.object.siblings());
    } else {
      g.error = error;
      log.add(() -> id + " " + g + " FAILED: " + error);
    }
  }

  private void put(String key, String value, PutOp.Source source, GetOp fromRead, PutOp fromPut,
      byte[] context, int w, Runnable then) {
    String node = pickNode();
    PutOp p = history.newPut(id, key, value, source, fromRead, fromPut,
        VersionCodec.decodeContext(context).vector(), w, node, queue.now());
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] v = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    byte[] ctx = context.clone();
    EventQueue.Event timeout = queue.after(scenario.clientTimeoutNanos(), null, () -> {
      if (p.outcome == PutOp.Outcome.PENDING) {
        finish(p, null, PutOp.Outcome.TIMED_OUT, "client deadline passed");
        then.run();
      }
    });
    cluster.transport.<byte[]>clientCall(id, node, p::toString,
        n -> { },
        n -> n.coordinator.put(k, v, ctx, w),
        (n, out) -> answered(p, k, out),
        (out, error) -> {
          if (p.outcome == PutOp.Outcome.PENDING) {
            timeout.cancel();
            finish(p, out, error == null ? PutOp.Outcome.ACKED : PutOp.Outcome.FAILED,
                error == null ? null : SimTransport.describe(error));
            then.run();
          }
        });
  }

  /**
   * The node is about to tell the client its put succeeded: notes the write's dot and how many
   * nodes hold it (in their data or as hints), and how many home replicas hold it in their data,
   * for checkers 5, 6 and 7.
   */
  private void answered(PutOp p, byte[] key, byte[] contextOut) {
    p.answerStep = history.nextStep();
    ClientContext ctx = VersionCodec.decodeContext(contextOut);
    List<Dot> candidates = new ArrayList<>();
    if (ctx.dot() != null) {
      candidates.add(ctx.dot()); // a put's context names the write's dot
    } else if (p.value != null) {
      for (Dot d : history.dotsOf(p.value)) {
        if (ctx.vector().contains(d)) {
          candidates.add(d);
        }
      }
    } else {
      Dot d = dotNamedBy(ctx);
      if (d != null) {
        candidates.add(d);
      }
    }
    List<String> home = cluster.home(cluster.ring(), key);
    for (Dot d : candidates) {
      int holders = 0;
      int homeHolders = 0;
      for (SimNode n : cluster.nodes.values()) {
        if (Disks.covers(n.disk, key, d)) {
          holders++;
        }
        if (home.contains(n.id) && Disks.data(n.disk, key).covers(d)) {
          homeHolders++;
        }
      }
      if (p.dot == null || holders > p.holders) {
        p.dot = d;
        p.holders = holders;
        p.homeHolders = homeHolders;
      }
    }
  }

  /** The dot of the write an acknowledgement names its coordinator for, or null. */
  private Dot dotNamedBy(ClientContext ctx) {
    SimNode coordinator = ctx.coordinator() == null ? null : cluster.node(ctx.coordinator());
    Actor actor = coordinator == null ? null : coordinator.newestActorIn(ctx.vector());
    return actor == null ? null : new Dot(actor, ctx.vector().counter(actor));
  }

  private void finish(PutOp p, byte[] contextOut, PutOp.Outcome outcome, String error) {
    p.outcome = outcome;
    p.doneNanos = queue.now();
    p.doneStep = history.nextStep();
    p.error = error;
    if (outcome == PutOp.Outcome.ACKED) {
      p.contextOut = contextOut;
      ClientContext ctx = VersionCodec.decodeContext(contextOut);
      p.vectorOut = ctx.flattened();
      if (p.dot == null) {
        p.dot = ctx.dot() != null ? ctx.dot() : dotNamedBy(ctx);
      }
      if (!p.isDelete()) {
        lastAcked.put(p.key, p);
      }
      log.add(() -> id + " " + p + " ACKED, context " + p.vectorOut);
    } else {
      log.add(() -> id + " " + p + " " + outcome + ": " + error);
    }
  }

  private GetOp staleRead(String key) {
    List<GetOp> kept = reads.get(key);
    return kept == null || kept.isEmpty() ? null : kept.get(rng.nextInt(kept.size()));
  }

  private String pickNode() {
    List<String> ids = cluster.clientTargets();
    return ids.get(rng.nextInt(ids.size()));
  }

  private String newValue(String key) {
    return key + ":" + id + ":" + (++seq);
  }
}
