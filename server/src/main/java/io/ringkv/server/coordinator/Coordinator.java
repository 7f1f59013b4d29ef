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
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs client requests against a key's replicas (Dynamo sections 4.5 and 4.6): a put makes a new
 * version on a home replica and waits for W acknowledgements, a get asks the targets and answers
 * after R replies, then repairs the stale ones. Targets are the first N reachable nodes of the
 * preference list (sloppy quorum): fallbacks stand in for home replicas that are down.
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
  private final Predicate<String> isUp;
  private final Clock clock;
  private final Scheduler scheduler;
  private final CoordinatorSettings settings;
  private final ReadRepairListener readRepairs;

  /** Told of every read repair this coordinator sends (for metrics and tests). */
  @FunctionalInterface
  public interface ReadRepairListener {
    void repaired(String nodeId, byte[] key);
  }

  /**
   * @param isUp the failure detector's opinion of a node (this node is always up)
   */
  public Coordinator(
      String self,
      NodeIdentity identity,
      LocalReplica local,
      ReplicaDirectory replicas,
      Placement placement,
      Predicate<String> isUp,
      Clock clock,
      Scheduler scheduler,
      CoordinatorSettings settings,
      ReadRepairListener readRepairs) {
    this.self = self;
    this.identity = identity;
    this.local = local;
    this.replicas = replicas;
    this.placement = placement;
    this.isUp = isUp;
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
      Quorum q = quorum(key, "r", r, settings.r());
      return new ReadRound(key, q.targets, q.size, this::replica, scheduler,
          settings.requestTimeout(), settings.readRepairWait(), readRepairs).start();
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // ------------------------------------------------------------------ put

  /**
   * Writes {@code value} ({@code null}: a tombstone) over what {@code context} saw, with write
   * quorum {@code w} (0: the default). Completes with the context of the new version.
   *
   * <p>A put is coordinated by a target, since the new version's dot is the coordinator's event:
   * the home replica that answered the client's read first when the context names it (Dynamo's
   * read-your-writes hint), else this node if it is a reachable home replica, else the first
   * reachable home replica, else (every home replica down) the first fallback.
   */
  public CompletableFuture<byte[]> put(byte[] key, byte[] value, byte[] context, int w) {
    try {
      Prepared p = prepare(key, value, context, w);
      String hinted = p.ctx.coordinator();
      String firstHome = p.targets.firstHome();
      if (hinted != null && !hinted.equals(self) && p.targets.isHome(hinted)
          && p.targets.nodes().contains(hinted)) {
        return forward(key, value, context, w, List.of(hinted), 0)
            .exceptionallyCompose(e -> answered(e)
                ? CompletableFuture.failedFuture(e)
                : p.targets.isHome(self)
                    ? coordinate(key, value, p)
                    : forward(key, value, context, w, homeTargets(p.targets), 0));
      }
      if (firstHome == null) {
        throw KvException.unavailable("all " + p.targets.home().size() + " home replicas of the"
            + " key are unreachable (" + p.targets.home() + "): a put needs one to coordinate it");
      }
      if (p.targets.isHome(self)) {
        return coordinate(key, value, p);
      }
      return forward(key, value, context, w, homeTargets(p.targets), 0);
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

  private record Prepared(ClientContext ctx, Targets targets, int quorum) {}

  /** Where a request goes and how many answers it needs. */
  private record Quorum(Targets targets, int size) {}

  private Prepared prepare(byte[] key, byte[] value, byte[] context, int w) {
    checkKey(key);
    if (value != null && value.length > settings.maxValueBytes()) {
      throw KvException.invalid(
          "value: " + value.length + " bytes is over the limit of " + settings.maxValueBytes()
              + " (limits.max-value-bytes)");
    }
    ClientContext ctx = decodeContext(context);
    Quorum q = quorum(key, "w", w, settings.w());
    return new Prepared(ctx, q.targets, q.size);
  }

  /**
   * Makes the new version here, in this home replica's data, and replicates it. Fallbacks never
   * coordinate: a node's dots for a key must all live in one object, or a later dot would claim
   * to have seen an earlier one kept elsewhere.
   */
  private CompletableFuture<byte[]> coordinate(byte[] key, byte[] value, Prepared p) {
    if (!p.targets.isHome(self)) {
      return CompletableFuture.failedFuture(KvException.unavailable("node " + self
          + " is not a home replica of this key, and a put is coordinated by one"));
    }
    // The round counts this node's own copy toward W, so the copy must stay until the round
    // ends: pinned, data transfer does not drop the key's partition (after a ring change moved
    // it away) meanwhile. The ring is read again after pinning: a drop that began before the pin
    // only follows a commit that already took the key from this node, which the read then sees.
    LocalReplica.Pin pin = local.pin(key);
    if (!isHome(key)) {
      pin.release();
      return CompletableFuture.failedFuture(KvException.unavailable("node " + self
          + " is no longer a home replica of this key (the ring changed), and a put is"
          + " coordinated by one"));
    }
    Dot[] made = new Dot[1];
    CompletableFuture<byte[]> round =
        local.update(key, current -> newVersion(current, p.ctx, value, made))
            .thenCompose(obj -> {
              // The context of a put covers what the writer had seen plus the one new write,
              // not the concurrent siblings the replica kept (a dotted context).
              byte[] context = VersionCodec.encodeContext(
                  new ClientContext(p.ctx.vector(), made[0], self));
              return new WriteRound(key, obj, p.targets, p.quorum, context, this::replica,
                  scheduler, settings.requestTimeout()).start(self);
            });
    round.whenComplete((ok, e) -> pin.release());
    return round;
  }

  /** Whether this node is a home replica of {@code key} by the ring in effect now. */
  private boolean isHome(byte[] key) {
    return Targets.homeOf(placement.preferenceList(key), settings.n()).contains(self);
  }

  /** The write event, run atomically on the stored object; {@code made} receives its dot. */
  private VersionedObject newVersion(VersionedObject current, ClientContext ctx, byte[] value,
      Dot[] made) {
    int kept = 0;
    for (var s : current.siblings()) {
      if (!ctx.covers(s.dot())) {
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
    Dot dot = current.nextDot(identity.actor(), ctx.flattened(), identity.nextCounterFloor());
    made[0] = dot;
    return current.write(ctx.vector(), ctx.dot(), dot, value, clock.wallMillis(),
        settings.maxClockEntries());
  }

  /** Tries the nodes in order from {@code index}; answers with the first that coordinates. */
  private CompletableFuture<byte[]> forward(
      byte[] key, byte[] value, byte[] context, int w, List<String> nodes, int index) {
    String node = nodes.get(index);
    if (node.equals(self)) {
      return coordinatePut(key, value, context, w);
    }
    return replicas
        .peer(node)
        .coordinatePut(key, value, context, w)
        .exceptionallyCompose(
            e -> {
              if (answered(e) || index + 1 >= nodes.size()) {
                return CompletableFuture.failedFuture(e);
              }
              log.debug("forwarding a put to {} failed ({}); trying the next replica", node,
                  e.toString());
              return forward(key, value, context, w, nodes, index + 1);
            });
  }

  /**
   * Whether the forward may have run: the node answered, or the call timed out (the request may
   * still arrive and run later). Only a forward that surely did not run is tried elsewhere, or a
   * late copy could write an old value again after the client moved on.
   */
  private static boolean answered(Throwable e) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return !(t instanceof KvException kv) || kv.answeredByPeer()
        || kv.code() != KvException.Code.UNAVAILABLE;
  }

  private static List<String> homeTargets(Targets t) {
    return t.nodes().stream().filter(t::isHome).toList();
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

  /**
   * The targets of a request and its quorum: {@code requested}, or when 0 the default, which
   * shrinks to the key's home replicas in a cluster smaller than N.
   */
  private Quorum quorum(byte[] key, String name, int requested, int fallback) {
    if (requested < 0) {
      throw KvException.invalid(name + ": must not be negative");
    }
    if (requested > settings.n()) {
      throw KvException.invalid(
          name + ": " + requested + " is more than the replication factor n=" + settings.n());
    }
    Targets t = Targets.select(placement.preferenceList(key), settings.n(), isUp);
    int quorum = requested != 0 ? requested : Math.min(fallback, Math.max(1, t.home().size()));
    if (t.nodes().size() < quorum) {
      throw KvException.unavailable(
          name + "=" + quorum + " needs " + quorum + " reachable replicas but only "
              + t.nodes().size() + " of the key's preference list are reachable");
    }
    return new Quorum(t, quorum);
  }

  private static ClientContext decodeContext(byte[] context) {
    try {
      return VersionCodec.decodeContext(context);
    } catch (MalformedVersionException e) {
      throw KvException.invalid("context: " + e.getMessage());
    }
  }
}
