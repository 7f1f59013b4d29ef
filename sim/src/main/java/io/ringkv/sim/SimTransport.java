package io.ringkv.sim;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ringkv.gossip.Gossiper;
import io.ringkv.internal.v1.GossipMessage;
import io.ringkv.server.antientropy.AntiEntropyPeer;
import io.ringkv.server.grpc.MembershipCodec;
import io.ringkv.server.transfer.Transfers;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.server.replica.Peer;
import io.ringkv.server.replica.ReplicaDirectory;
import io.ringkv.storage.HintStore;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Requests and replies over the {@link SimNetwork}, standing in for gRPC. A call becomes a
 * request message; on arrival the target node, if it is up, handles it with its real protocol
 * objects; the reply travels back the same way and completes the caller's future, unless the
 * caller crashed meanwhile. The caller fails the call with DEADLINE_EXCEEDED (not answered by
 * the peer) when the replica deadline passes first, on its own timer (so a crash of the caller
 * drops that too).
 *
 * <p>Objects travel encoded, as in production: the receiver decodes its own copy, and the codecs
 * are exercised on every message. Errors cross the wire as {@code GrpcPeers.fromStatus} maps the
 * statuses {@code Statuses} sends: see {@link #asSeenByCaller}.
 */
final class SimTransport {

  private static final byte[] NOTHING = new byte[0];

  private final SimCluster cluster;
  private final EventQueue queue;
  private final SimNetwork network;
  private final History history;
  private final EventLog log;
  private final Wiring wiring;
  private final long replicaTimeoutNanos;

  SimTransport(SimCluster cluster, EventQueue queue, SimNetwork network, History history,
      EventLog log, Wiring wiring, long replicaTimeoutNanos) {
    this.cluster = cluster;
    this.queue = queue;
    this.network = network;
    this.history = history;
    this.log = log;
    this.wiring = wiring;
    this.replicaTimeoutNanos = replicaTimeoutNanos;
  }

  /** The peers as node {@code self} sees them in one life. */
  ReplicaDirectory directory(String self, Life life) {
    Map<String, Peer> peers = new TreeMap<>();
    return to -> peers.computeIfAbsent(to, t -> wiring.peer(self, t, new SimPeer(self, life, t)));
  }

  /** A node's replica service, reached over the network. */
  private final class SimPeer implements Peer {
    private final String from;
    private final Life life;
    private final String to;

    SimPeer(String from, Life life, String to) {
      this.from = from;
      this.life = life;
      this.to = to;
    }

    @Override
    public CompletableFuture<VersionedObject> read(byte[] key) {
      byte[] k = key.clone();
      return call(from, life, to, () -> "read " + EventLog.utf8(k), true,
              n -> n.local.read(k).thenApply(VersionCodec::encodeObject))
          .thenApply(VersionCodec::decodeObject);
    }

    @Override
    public CompletableFuture<Void> merge(byte[] key, VersionedObject object) {
      byte[] k = key.clone();
      byte[] encoded = VersionCodec.encodeObject(object);
      return call(from, life, to,
              () -> "merge " + EventLog.utf8(k) + " " + object.siblings(), true,
              n -> n.local.merge(k, VersionCodec.decodeObject(encoded)).thenApply(x -> NOTHING))
          .thenApply(x -> null);
    }

    @Override
    public CompletableFuture<VersionedObject> readHints(byte[] key, List<String> homeReplicas) {
      byte[] k = key.clone();
      List<String> home = List.copyOf(homeReplicas);
      return call(from, life, to, () -> "readHints " + EventLog.utf8(k) + " for " + home, true,
              n -> n.local.readHints(k, home).thenApply(VersionCodec::encodeObject))
          .thenApply(VersionCodec::decodeObject);
    }

    @Override
    public CompletableFuture<Void> hint(byte[] key, VersionedObject object, String homeReplica) {
      byte[] k = key.clone();
      byte[] encoded = VersionCodec.encodeObject(object);
      return call(from, life, to,
              () -> "hint " + EventLog.utf8(k) + " for " + homeReplica + " " + object.siblings(),
              true,
              n -> n.local.hint(k, VersionCodec.decodeObject(encoded), homeReplica)
                  .thenApply(x -> NOTHING))
          .thenApply(x -> null);
    }

    /** Never duplicated: gRPC delivers a request at most once, and this one is not idempotent. */
    @Override
    public CompletableFuture<byte[]> coordinatePut(
        byte[] key, byte[] value, byte[] context, int w) {
      byte[] k = key.clone();
      byte[] v = value == null ? null : value.clone();
      byte[] c = context.clone();
      return call(from, life, to,
          () -> "coordinatePut " + EventLog.utf8(k) + " " + EventLog.utf8(v) + " w=" + w, false,
          n -> n.coordinator.coordinatePut(k, v, c, w));
    }

    @Override
    public CompletableFuture<Void> ping() {
      return call(from, life, to, () -> "ping", true,
              n -> CompletableFuture.completedFuture(NOTHING))
          .thenApply(x -> null);
    }
  }

  /** One request from a node and its reply; {@code handler} runs on the target if it is up. */
  private <T> CompletableFuture<T> call(String from, Life life, String to,
      Supplier<String> what, boolean idempotent,
      Function<SimNode, CompletableFuture<T>> handler) {
    return call(from, life, to, what, idempotent, false, handler);
  }

  /**
   * As above; a {@code background} call (anti-entropy) and its messages are left out of the heal
   * phase's quiescence test (see {@link SimNetwork#send}).
   */
  private <T> CompletableFuture<T> call(String from, Life life, String to,
      Supplier<String> what, boolean idempotent, boolean background,
      Function<SimNode, CompletableFuture<T>> handler) {
    CompletableFuture<T> result = new CompletableFuture<>();
    // Counted for the heal phase, probes too: a probe lost before the heal still times out
    // after it, and makes its sender suspect a healthy node.
    if (!background) {
      life.outstandingCalls++;
      result.whenComplete((x, e) -> life.outstandingCalls--);
    }
    EventQueue.Event deadline = queue.after(replicaTimeoutNanos, life, () -> {
      if (result.completeExceptionally(new KvException(KvException.Code.DEADLINE_EXCEEDED,
          "node " + to + " did not answer in time: no reply within "
              + replicaTimeoutNanos / 1_000_000 + " ms", false))) {
        log.add(() -> from + " gave up on " + to + ": " + what.get());
      }
    });
    String label = log.recording() ? what.get() : "";
    network.send(from, to, () -> label, idempotent, background, () -> {
      SimNode target = cluster.node(to);
      if (!target.up()) {
        log.add(() -> to + " is down: request from " + from + " lost: " + label);
        return;
      }
      Life targetLife = target.life;
      handle(to, handler, target).whenComplete((bytes, error) -> {
        if (!targetLife.alive()) {
          return; // the node died before it could answer
        }
        network.send(to, from, () -> "reply to " + label + ": " + outcome(error), true,
            background, () -> {
          if (life.alive() && !result.isDone()) {
            deadline.cancel();
            if (error == null) {
              result.complete(bytes);
            } else {
              result.completeExceptionally(asSeenByCaller(to, error));
            }
          }
        });
      });
    });
    return result;
  }

  /** The other nodes' anti-entropy as node {@code self} reaches them in one life. */
  java.util.function.Function<String, AntiEntropyPeer> antiEntropy(String self, Life life) {
    Map<String, AntiEntropyPeer> peers = new TreeMap<>();
    return to -> peers.computeIfAbsent(to,
        t -> wiring.antiEntropyPeer(self, t, new SimAntiEntropyPeer(self, life, t)));
  }

  /**
   * A node's anti-entropy, reached over the network. Arrays are copied and objects travel
   * encoded, as over gRPC. Every call is a read or an idempotent merge, so the network may
   * duplicate it.
   */
  private final class SimAntiEntropyPeer implements AntiEntropyPeer {
    private final String from;
    private final Life life;
    private final String to;

    SimAntiEntropyPeer(String from, Life life, String to) {
      this.from = from;
      this.life = life;
      this.to = to;
    }

    @Override
    public CompletableFuture<long[]> hashes(ExchangeId id, int partition, int leaves, int level,
        int[] indices) {
      int[] copy = indices.clone();
      return call(from, life, to, () -> "ae#" + id.number() + " hashes p" + partition
              + " level " + level + " x" + copy.length, true, true,
          n -> n.antiEntropy.hashes(id, partition, leaves, level, copy.clone()))
          .thenApply(long[]::clone);
    }

    @Override
    public CompletableFuture<Page> leafKeys(ExchangeId id, int partition, int leaves,
        int[] leafIndices, byte[] after, int maxKeys) {
      int[] copy = leafIndices.clone();
      byte[] a = after == null ? null : after.clone();
      return call(from, life, to, () -> "ae#" + id.number() + " leafKeys p" + partition + " x"
              + copy.length, true, true,
          n -> n.antiEntropy.leafKeys(id, partition, leaves, copy.clone(), a, maxKeys));
    }

    @Override
    public CompletableFuture<List<Synced>> sync(ExchangeId id, int partition,
        List<KeyObject> objects) {
      List<byte[]> keys = new java.util.ArrayList<>();
      List<byte[]> encoded = new java.util.ArrayList<>();
      for (KeyObject o : objects) {
        keys.add(o.key().clone());
        encoded.add(VersionCodec.encodeObject(o.object()));
      }
      return call(from, life, to, () -> "ae#" + id.number() + " sync p" + partition + " "
              + keys.stream().map(EventLog::utf8).toList(), true, true,
          n -> {
            List<KeyObject> in = new java.util.ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
              in.add(new KeyObject(keys.get(i).clone(),
                  VersionCodec.decodeObject(encoded.get(i))));
            }
            return n.antiEntropy.sync(id, partition, in).thenApply(out -> out.stream()
                .map(x -> new WireSynced(VersionCodec.encodeObject(x.object()), x.changed()))
                .toList());
          })
          .thenApply(wire -> wire.stream()
              .map(x -> new Synced(VersionCodec.decodeObject(x.object()), x.changed()))
              .toList());
    }

    @Override
    public CompletableFuture<Void> done(ExchangeId id, int partition) {
      return call(from, life, to, () -> "ae#" + id.number() + " done p" + partition, true, true,
          n -> n.antiEntropy.done(id, partition));
    }

    @Override
    public CompletableFuture<List<VersionedObject>> fetch(int partition, List<byte[]> keys) {
      List<byte[]> copy = keys.stream().map(byte[]::clone).toList();
      return call(from, life, to, () -> "ae fetch p" + partition + " "
              + copy.stream().map(EventLog::utf8).toList(), true, true,
          n -> n.antiEntropy.fetch(partition, copy).thenApply(
              out -> out.stream().map(VersionCodec::encodeObject).toList()))
          .thenApply(wire -> wire.stream().map(VersionCodec::decodeObject).toList());
    }
  }

  /**
   * Node {@code self}'s gossip in one life: a digest to a node (addresses are node ids) and the
   * peer's digest back, both encoded as {@code MembershipService} sends them. In the background:
   * gossip never stops, like the probes, and the heal phase waits for the ring to settle instead.
   * A digest of another cluster is refused as {@code Statuses} refuses it (FAILED_PRECONDITION).
   */
  Gossiper.Transport gossip(String self, Life life) {
    return (to, mine) -> {
      byte[] out = MembershipCodec.encode(mine).toByteArray();
      return call(self, life, to, () -> "gossip v" + mine.state().version()
              + (mine.state().settled() ? "" : " pending v" + mine.state().next().version()
                  + " done " + mine.state().done().size()), true, true,
          n -> {
            try {
              Gossiper.Digest reply = n.gossiper.receive(MembershipCodec.decode(parse(out)));
              return CompletableFuture.completedFuture(MembershipCodec.encode(reply).toByteArray());
            } catch (Gossiper.ForeignClusterException e) {
              return CompletableFuture.failedFuture(
                  new KvException(KvException.Code.FAILED_PRECONDITION, e.getMessage()));
            }
          })
          .thenApply(bytes -> MembershipCodec.decode(parse(bytes)));
    };
  }

  private static GossipMessage parse(byte[] bytes) {
    try {
      return GossipMessage.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Node {@code self}'s transfers in one life: a FetchRange to a node, served by its {@code
   * Transfers}, entries encoded as on the wire. Counted as protocol work (a transfer ends).
   */
  Transfers.Source fetch(String self, Life life) {
    return (to, partition, afterKey, maxBytes, version) -> {
      byte[] after = afterKey.clone();
      return call(self, life, to, () -> "fetch p" + partition + " after '"
              + EventLog.utf8(after) + "' for ring v" + version, true,
          n -> wiring.serve(to, n.transfers, partition, after.clone(), maxBytes, version)
              .thenApply(b -> {
                List<byte[]> wire = new java.util.ArrayList<>();
                for (Transfers.Entry e : b.entries()) {
                  wire.add(e.key().clone());
                  wire.add(VersionCodec.encodeObject(e.object()));
                }
                return new WireBatch(wire, b.done());
              }))
          .thenApply(w -> {
            List<Transfers.Entry> entries = new java.util.ArrayList<>();
            for (int i = 0; i < w.parts().size(); i += 2) {
              entries.add(new Transfers.Entry(w.parts().get(i).clone(),
                  VersionCodec.decodeObject(w.parts().get(i + 1))));
            }
            return new Transfers.Batch(entries, w.done());
          });
    };
  }

  /** A batch as it travels: key, encoded object, key, encoded object... */
  private record WireBatch(List<byte[]> parts, boolean done) {}

  /** A synced object as it travels back. */
  private record WireSynced(byte[] object, boolean changed) {}

  /** A client request to a node's coordinator, and its reply (or nothing, if either is lost). */
  <T> void clientCall(String client, String to, Supplier<String> what,
      Function<SimNode, CompletableFuture<T>> handler, BiConsumer<T, Throwable> onReply) {
    clientCall(client, to, what, n -> { }, handler, (n, v) -> { }, onReply);
  }

  /**
   * A client request as above, with two hooks run on the node, for the checkers: {@code
   * onArrival} just before the request is handled, {@code onAnswer} as the node sends a success.
   */
  <T> void clientCall(String client, String to, Supplier<String> what,
      java.util.function.Consumer<SimNode> onArrival,
      Function<SimNode, CompletableFuture<T>> handler, BiConsumer<SimNode, T> onAnswer,
      BiConsumer<T, Throwable> onReply) {
    network.send(client, to, what, false, () -> {
      SimNode target = cluster.node(to);
      if (!target.up()) {
        log.add(() -> to + " is down: request from " + client + " lost: " + what.get());
        return;
      }
      Life targetLife = target.life;
      onArrival.accept(target);
      handle(to, handler, target).whenComplete((value, error) -> {
        if (targetLife.alive()) {
          if (error == null) {
            onAnswer.accept(target, value);
          }
          network.send(to, client, () -> "reply to " + what.get() + ": " + outcome(error), true,
              () -> onReply.accept(value, error == null ? null : unwrap(error)));
        }
      });
    });
  }

  /** Runs a handler; an exception other than KvException is a bug, recorded for checker 0. */
  private <T> CompletableFuture<T> handle(
      String node, Function<SimNode, CompletableFuture<T>> handler, SimNode target) {
    CompletableFuture<T> f;
    try {
      f = handler.apply(target);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.whenComplete((v, e) -> {
      Throwable t = e == null ? null : unwrap(e);
      if (t != null && !(t instanceof KvException) && !(t instanceof HintStore.Full)) {
        history.internalError("on " + node + " at " + EventLog.millis(queue.now()) + " ms", t);
      }
    });
  }

  /**
   * A peer's failure as the caller sees it, as {@code GrpcPeers.fromStatus} maps the status the
   * peer's {@code Statuses} sent: an answer (the peer is alive) unless it is a deadline.
   */
  private static KvException asSeenByCaller(String node, Throwable error) {
    Throwable t = unwrap(error);
    if (t instanceof KvException kv) {
      return switch (kv.code()) {
        case INVALID_ARGUMENT, FAILED_PRECONDITION -> new KvException(kv.code(), kv.getMessage(),
            true);
        case DEADLINE_EXCEEDED -> new KvException(KvException.Code.DEADLINE_EXCEEDED,
            "node " + node + " did not answer in time: " + kv.getMessage(), false);
        default -> new KvException(KvException.Code.UNAVAILABLE,
            "node " + node + ": " + kv.code() + ": " + kv.getMessage(), true);
      };
    }
    String status = t instanceof HintStore.Full ? "RESOURCE_EXHAUSTED" : "INTERNAL";
    return new KvException(KvException.Code.UNAVAILABLE,
        "node " + node + ": " + status + ": " + t.getMessage(), true);
  }

  static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static String outcome(Throwable error) {
    return error == null ? "ok" : "error " + describe(error);
  }

  static String describe(Throwable t) {
    Throwable u = unwrap(t);
    return u instanceof KvException kv ? kv.code() + " " + kv.getMessage() : u.toString();
  }
}
