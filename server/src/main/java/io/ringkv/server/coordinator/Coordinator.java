package io.ringkv.server.coordinator;

import io.ringkv.env.Clock;
import io.ringkv.env.Scheduler;
import io.ringkv.server.replica.LocalReplica;
import io.ringkv.server.replica.Replica;
import io.ringkv.server.replica.ReplicaDirectory;
import io.ringkv.storage.NodeIdentity;
import io.ringkv.version.Dot;
import io.ringkv.version.MalformedVersionException;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionCodec.ClientContext;
import io.ringkv.version.VersionedObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs client requests against a key's replicas (Dynamo section 4.5): a put makes a new version
 * here and waits for W acknowledgements, a get asks the home replicas and answers after R
 * replies, then repairs the stale ones.
 *
 * <p>Nothing here blocks: replica calls return futures and the quorum bookkeeping completes the
 * client's future from whichever thread delivers the deciding reply. Time and timers come from
 * the injected {@link Clock} and {@link Scheduler}, so the simulator can run this class as is.
 */
public final class Coordinator {

  private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

  private final String self;
  private final NodeIdentity identity;
  private final LocalReplica local;
  private final ReplicaDirectory replicas;
  private final Placement placement;
  private final Clock clock;
  private final Scheduler scheduler;
  private final CoordinatorSettings settings;
  private final ReadRepairListener readRepairs;

  /** Told of every read repair this coordinator sends (for metrics and tests). */
  @FunctionalInterface
  public interface ReadRepairListener {
    void repaired(String nodeId, byte[] key);
  }

  public Coordinator(
      String self,
      NodeIdentity identity,
      LocalReplica local,
      ReplicaDirectory replicas,
      Placement placement,
      Clock clock,
      Scheduler scheduler,
      CoordinatorSettings settings,
      ReadRepairListener readRepairs) {
    this.self = self;
    this.identity = identity;
    this.local = local;
    this.replicas = replicas;
    this.placement = placement;
    this.clock = clock;
    this.scheduler = scheduler;
    this.settings = settings;
    this.readRepairs = readRepairs;
  }

  /** What a get returns: the reconciled object and the context to hand the client. */
  public record ReadResult(VersionedObject object, byte[] context) {
    public List<byte[]> values() {
      return object.values();
    }
  }

  // ------------------------------------------------------------------ get

  /** Reads {@code key} with read quorum {@code r} (0: the default). */
  public CompletableFuture<ReadResult> get(byte[] key, int r) {
    try {
      checkKey(key);
      int quorum = quorum("r", r, settings.r());
      List<String> home = homeReplicas(key, "r", quorum);
      return new ReadRound(key, home, quorum).start();
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** One get: collects replies, answers at R, repairs after all replies or the repair wait. */
  private final class ReadRound {
    private final byte[] key;
    private final List<String> home;
    private final int quorum;
    private final VersionedObject[] replies;
    private final CompletableFuture<ReadResult> result = new CompletableFuture<>();
    private int succeeded;
    private int failed;
    private String first;
    private boolean repaired;
    private Scheduler.Cancellable timer;

    ReadRound(byte[] key, List<String> home, int quorum) {
      this.key = key;
      this.home = home;
      this.quorum = quorum;
      this.replies = new VersionedObject[home.size()];
    }

    CompletableFuture<ReadResult> start() {
      synchronized (this) {
        timer = scheduler.schedule(settings.requestTimeout(), this::deadline);
      }
      for (int i = 0; i < home.size(); i++) {
        int index = i;
        String node = home.get(i);
        replica(node).read(key).whenComplete((obj, err) -> reply(index, node, obj, err));
      }
      return result;
    }

    private synchronized void reply(int index, String node, VersionedObject obj, Throwable err) {
      if (err != null) {
        failed++;
        log.debug("read of a key from {} failed: {}", node, err.toString());
      } else {
        replies[index] = obj;
        succeeded++;
        if (first == null) {
          first = node;
        }
      }
      if (!result.isDone()) {
        if (succeeded >= quorum) {
          result.complete(answer());
          if (succeeded + failed < home.size()) {
            // Give the stragglers a moment, then repair whoever has answered.
            scheduler.schedule(settings.readRepairWait(), this::repair);
            return;
          }
        } else if (failed > home.size() - quorum) {
          timer.cancel();
          result.completeExceptionally(
              KvException.unavailable(
                  "read quorum r=" + quorum + " not reached: " + succeeded + " of "
                      + home.size() + " replicas answered"));
          return;
        }
      }
      if (succeeded + failed == home.size()) {
        repair();
      }
    }

    private synchronized void deadline() {
      if (!result.isDone()) {
        result.completeExceptionally(
            new KvException(
                KvException.Code.UNAVAILABLE,
                "read quorum r=" + quorum + " not reached within "
                    + settings.requestTimeout().toMillis() + " ms: " + succeeded + " of "
                    + home.size() + " replicas answered"));
      }
    }

    private ReadResult answer() {
      VersionedObject merged = mergedReplies();
      byte[] context =
          merged.context().isEmpty()
              ? new byte[0]
              : VersionCodec.encodeContext(new ClientContext(merged.context(), first));
      return new ReadResult(merged, context);
    }

    private VersionedObject mergedReplies() {
      VersionedObject merged = VersionedObject.EMPTY;
      for (VersionedObject o : replies) {
        if (o != null) {
          merged = merged.merge(o);
        }
      }
      return merged;
    }

    private synchronized void repair() {
      if (repaired) {
        return;
      }
      repaired = true;
      timer.cancel();
      VersionedObject merged = mergedReplies();
      for (int i = 0; i < replies.length; i++) {
        VersionedObject reply = replies[i];
        if (reply != null && !reply.equals(merged)) {
          String node = home.get(i);
          readRepairs.repaired(node, key);
          log.debug("read repair of a key on {}", node);
          replica(node).merge(key, merged);
        }
      }
    }
  }

  // ------------------------------------------------------------------ put

  /**
   * Writes {@code value} ({@code null}: a tombstone) over what {@code context} saw, with write
   * quorum {@code w} (0: the default). Completes with the context of the new version.
   *
   * <p>A put is coordinated by a home replica, since the new version's dot is that replica's
   * event: the one that answered the client's read first when the context names it (Dynamo's
   * read-your-writes hint), else this node if it is a home replica, else the first home replica
   * that answers a forward.
   */
  public CompletableFuture<byte[]> put(byte[] key, byte[] value, byte[] context, int w) {
    try {
      Prepared p = prepare(key, value, context, w);
      String hinted = p.ctx.coordinator();
      if (hinted != null && !hinted.equals(self) && p.home.contains(hinted)) {
        return forward(key, value, context, w, List.of(hinted), 0)
            .exceptionallyCompose(e -> p.home.contains(self)
                ? coordinate(key, value, p)
                : forward(key, value, context, w, p.home, 0));
      }
      if (p.home.contains(self)) {
        return coordinate(key, value, p);
      }
      return forward(key, value, context, w, p.home, 0);
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** A put forwarded to this node by another: coordinate it here, never forward again. */
  public CompletableFuture<byte[]> coordinatePut(byte[] key, byte[] value, byte[] context, int w) {
    try {
      return coordinate(key, value, prepare(key, value, context, w));
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private record Prepared(ClientContext ctx, List<String> home, int quorum) {}

  private Prepared prepare(byte[] key, byte[] value, byte[] context, int w) {
    checkKey(key);
    if (value != null && value.length > settings.maxValueBytes()) {
      throw KvException.invalid(
          "value: " + value.length + " bytes is over the limit of " + settings.maxValueBytes()
              + " (limits.max-value-bytes)");
    }
    ClientContext ctx = decodeContext(context);
    int quorum = quorum("w", w, settings.w());
    return new Prepared(ctx, homeReplicas(key, "w", quorum), quorum);
  }

  private CompletableFuture<byte[]> coordinate(byte[] key, byte[] value, Prepared p) {
    return local
        .update(key, current -> newVersion(current, p.ctx, value))
        .thenCompose(written -> replicate(key, written, p.home, p.quorum));
  }

  /** Tries the nodes in order from {@code index}; answers with the first that coordinates. */
  private CompletableFuture<byte[]> forward(
      byte[] key, byte[] value, byte[] context, int w, List<String> nodes, int index) {
    String node = nodes.get(index);
    return replicas
        .peer(node)
        .coordinatePut(key, value, context, w)
        .exceptionallyCompose(
            e -> {
              if (isClientError(e) || index + 1 >= nodes.size()) {
                return CompletableFuture.failedFuture(e);
              }
              log.debug("forwarding a put to {} failed ({}); trying the next replica", node,
                  e.toString());
              return forward(key, value, context, w, nodes, index + 1);
            });
  }

  /** Failures another replica would answer the same way: no point retrying elsewhere. */
  private static boolean isClientError(Throwable e) {
    Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause() : e;
    return t instanceof KvException kv
        && (kv.code() == KvException.Code.INVALID_ARGUMENT
            || kv.code() == KvException.Code.FAILED_PRECONDITION);
  }

  /** The write event, run atomically on the stored object. */
  private VersionedObject newVersion(VersionedObject current, ClientContext ctx, byte[] value) {
    int kept = 0;
    for (var s : current.siblings()) {
      if (!ctx.vector().contains(s.dot())) {
        kept++;
      }
    }
    if (kept + 1 > settings.maxSiblings()) {
      throw new KvException(
          KvException.Code.FAILED_PRECONDITION,
          "key has " + kept + " siblings this write does not supersede, and the limit is "
              + settings.maxSiblings() + " (limits.max-siblings): read the key, resolve its"
              + " siblings and write the result with the context of that read");
    }
    Dot dot = current.nextDot(identity.actor(), ctx.vector(), identity.nextCounterFloor());
    return current.write(ctx.vector(), dot, value, clock.wallMillis(), settings.maxClockEntries());
  }

  private CompletableFuture<byte[]> replicate(
      byte[] key, VersionedObject written, List<String> home, int quorum) {
    byte[] context = VersionCodec.encodeContext(new ClientContext(written.context(), self));
    if (quorum <= 1 && home.size() == 1) {
      return CompletableFuture.completedFuture(context);
    }
    WriteRound round = new WriteRound(home.size(), quorum, context);
    round.ack(); // our own copy is stored
    for (String node : home) {
      if (!node.equals(self)) {
        replica(node).merge(key, written).whenComplete((ok, err) -> round.reply(node, err));
      }
    }
    return round.result;
  }

  /** Counts write acknowledgements against W. */
  private final class WriteRound {
    private final int total;
    private final int quorum;
    private final byte[] context;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final Scheduler.Cancellable timer;
    private int acked;
    private int failed;

    WriteRound(int total, int quorum, byte[] context) {
      this.total = total;
      this.quorum = quorum;
      this.context = context;
      this.timer = scheduler.schedule(settings.requestTimeout(), this::deadline);
    }

    synchronized void ack() {
      acked++;
      decide();
    }

    synchronized void reply(String node, Throwable err) {
      if (err == null) {
        acked++;
      } else {
        failed++;
        log.debug("write of a key to {} failed: {}", node, err.toString());
      }
      decide();
    }

    private void decide() {
      if (result.isDone()) {
        return;
      }
      if (acked >= quorum) {
        timer.cancel();
        result.complete(context);
      } else if (failed > total - quorum) {
        timer.cancel();
        result.completeExceptionally(unreached());
      }
    }

    private synchronized void deadline() {
      result.completeExceptionally(unreached());
    }

    private KvException unreached() {
      return KvException.unavailable(
          "write quorum w=" + quorum + " not reached: " + acked + " of " + total
              + " replicas acknowledged (the write may still be on those)");
    }
  }

  // ------------------------------------------------------------------ helpers

  private Replica replica(String node) {
    return node.equals(self) ? local : replicas.peer(node);
  }

  private void checkKey(byte[] key) {
    if (key.length == 0) {
      throw KvException.invalid("key: must not be empty");
    }
    if (key.length > settings.maxKeyBytes()) {
      throw KvException.invalid(
          "key: " + key.length + " bytes is over the limit of " + settings.maxKeyBytes()
              + " (limits.max-key-bytes)");
    }
  }

  private int quorum(String name, int requested, int fallback) {
    if (requested < 0) {
      throw KvException.invalid(name + ": must not be negative");
    }
    if (requested > settings.n()) {
      throw KvException.invalid(
          name + ": " + requested + " is more than the replication factor n=" + settings.n());
    }
    return requested == 0 ? fallback : requested;
  }

  private List<String> homeReplicas(byte[] key, String name, int quorum) {
    List<String> pref = placement.preferenceList(key);
    List<String> home = pref.subList(0, Math.min(settings.n(), pref.size()));
    if (home.size() < quorum) {
      throw KvException.unavailable(
          name + "=" + quorum + " needs " + quorum + " replicas but the cluster has "
              + home.size());
    }
    return home;
  }

  private static ClientContext decodeContext(byte[] context) {
    try {
      return VersionCodec.decodeContext(context);
    } catch (MalformedVersionException e) {
      throw KvException.invalid("context: " + e.getMessage());
    }
  }
}
