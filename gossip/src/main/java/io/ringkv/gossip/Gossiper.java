package io.ringkv.gossip;

import io.ringkv.env.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's membership: the one place its {@link ClusterState} changes, and the gossip that
 * spreads it (Dynamo section 4.8). Once per interval the node exchanges its state and heartbeats
 * with a random live member, and every few rounds with a seed, so that nodes that joined through
 * different seeds still meet. Both sides keep the merge ({@link ClusterState#merge}); a state is
 * persisted before anyone sees it.
 *
 * <p>Readers take {@link #state()} snapshots. Changes run under this object's monitor, briefly:
 * listeners are told of every new state in order and must not block.
 */
public final class Gossiper {

  private static final Logger log = LoggerFactory.getLogger(Gossiper.class);

  /**
   * A node's liveness counter: a new generation per start, a beat per gossip round; and the
   * version of the ring the node served by when it beat (so any node can tell who lags).
   */
  public record Heartbeat(long generation, long beat, long ringVersion) {
    boolean newerThan(Heartbeat o) {
      return generation != o.generation ? generation > o.generation : beat > o.beat;
    }
  }

  /** What two nodes exchange: the sender's state and the heartbeats it has heard. */
  public record Digest(ClusterState state, Map<String, Heartbeat> heartbeats) {
    public Digest {
      Objects.requireNonNull(state, "state");
      // Sorted: iteration order must not depend on the JVM run (the simulator replays).
      heartbeats = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(heartbeats));
    }
  }

  /** Sends a digest to the node at an address; completes with its reply. Carries a deadline. */
  @FunctionalInterface
  public interface Transport {
    CompletableFuture<Digest> exchange(String address, Digest mine);
  }

  /** Makes a state durable (it must survive a crash before it is acted on). */
  @FunctionalInterface
  public interface Persistence {
    void save(ClusterState state);
  }

  /** Told of each new state, in order, under the gossiper's monitor: must be quick. */
  @FunctionalInterface
  public interface Listener {
    void changed(ClusterState before, ClusterState after);
  }

  /** A digest from another cluster (another cluster id): never merged. */
  public static final class ForeignClusterException extends RuntimeException {
    public ForeignClusterException(String message) {
      super(message);
    }
  }

  /**
   * @param interval time between gossip rounds
   * @param seedEvery every this many rounds the partner is a seed (and whenever no member is)
   */
  public record Settings(Duration interval, int seedEvery) {}

  private final String self;
  private final Transport transport;
  private final Persistence persistence;
  private final Scheduler scheduler;
  private final RandomGenerator random;
  private final Settings settings;
  private final List<String> seeds;
  private final Consumer<String> heard;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Heartbeat> heartbeats = new HashMap<>();
  private final long generation;
  private volatile ClusterState state;
  private long beat;
  private long rounds;
  private boolean running;
  private Scheduler.Cancellable timer;

  /**
   * @param generation distinct and growing per start of this node (e.g. its start time)
   * @param seeds addresses to gossip with now and then (this node's own address is skipped)
   * @param heard told when a node's heartbeat advances (feeds the failure detector)
   */
  public Gossiper(String self, ClusterState initial, long generation, List<String> seeds,
      Transport transport, Persistence persistence, Scheduler scheduler, RandomGenerator random,
      Settings settings, Consumer<String> heard) {
    this.self = self;
    this.state = initial;
    this.generation = generation;
    this.seeds = List.copyOf(seeds);
    this.transport = transport;
    this.persistence = persistence;
    this.scheduler = scheduler;
    this.random = random;
    this.settings = settings;
    this.heard = heard;
    heartbeats.put(self, new Heartbeat(generation, 0, initial.ring().version()));
  }

  public String self() {
    return self;
  }

  /** The current state (a snapshot). */
  public ClusterState state() {
    return state;
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  public synchronized void start() {
    if (!running) {
      running = true;
      timer = scheduler.schedule(settings.interval(), this::round);
    }
  }

  public synchronized void stop() {
    running = false;
    if (timer != null) {
      timer.cancel();
    }
  }

  /** The latest heartbeat heard of each node (this node's own included). */
  public synchronized Map<String, Heartbeat> heartbeats() {
    return new TreeMap<>(heartbeats);
  }

  /** This node's digest to send. */
  public synchronized Digest digest() {
    return new Digest(state, new TreeMap<>(heartbeats));
  }

  /**
   * Handles a digest a peer sent: merges it and answers with this node's digest.
   *
   * @throws ForeignClusterException if the peer belongs to another cluster
   */
  public synchronized Digest receive(Digest remote) {
    absorb(remote);
    return digest();
  }

  /**
   * Applies a change (an administrator's command, a completed handover) to the current state,
   * persists and publishes the result. The change may throw {@link MembershipException}; then
   * nothing changes.
   */
  public synchronized ClusterState update(UnaryOperator<ClusterState> change) {
    ClusterState next = change.apply(state);
    install(next);
    return next;
  }

  /**
   * Replaces the state with one of another cluster: a node that joins takes the state the seed
   * answered with. Only allowed while this node is a cluster of its own, or is not a member of
   * the one its state describes (it was removed, or its join was lost).
   */
  public synchronized void adopt(ClusterState joined) {
    ClusterState current = state;
    Member me = current.member(self);
    // Not a member: removed, or a node whose join was lost (it adopted the state with its join,
    // then gossip brought a state that won over it) and is joined again.
    boolean member = me != null && me.state() != Member.State.REMOVED;
    if (current.live().size() > 1 && member) {
      throw new MembershipException(MembershipException.Reason.REFUSED, "node " + self
          + " is already a member of cluster '" + current.clusterName() + "' with "
          + current.live().size() + " members; it cannot join another");
    }
    log.info("node {} joined cluster '{}' ({}): {} members, ring v{}", self,
        joined.clusterName(), joined.clusterId(), joined.live().size(), joined.ring().version());
    install(joined);
  }

  private void absorb(Digest remote) {
    ClusterState theirs = remote.state();
    if (!theirs.clusterId().equals(state.clusterId())) {
      throw new ForeignClusterException("node " + self + " belongs to cluster '"
          + state.clusterName() + "' (" + state.clusterId() + "), not to '"
          + theirs.clusterName() + "' (" + theirs.clusterId() + ")");
    }
    for (Map.Entry<String, Heartbeat> e : remote.heartbeats().entrySet()) {
      String node = e.getKey();
      if (node.equals(self)) {
        continue;
      }
      Heartbeat known = heartbeats.get(node);
      if (known == null || e.getValue().newerThan(known)) {
        heartbeats.put(node, e.getValue());
        if (known != null) {
          heard.accept(node);
        }
      }
    }
    ClusterState mine = state;
    ClusterState merged = mine.merge(theirs);
    if (mine.author().startsWith(self + "/") && merged.version() == mine.version()
        && !merged.author().equals(mine.author())) {
      // Two administrators changed membership at once on different nodes, or a change was made
      // on a pending ring while another node committed it: one wins (a commit always).
      log.warn("node {}: membership change '{}' made here lost to {} (state version {}); make"
          + " it again if it is still wanted", self, mine.author().substring(self.length() + 1),
          merged.author().isEmpty() ? "the commit of the change it was made on"
              : "the concurrent change '" + merged.author() + "'", mine.version());
    }
    install(merged);
  }

  private void install(ClusterState next) {
    ClusterState before = state;
    if (next.equals(before)) {
      return;
    }
    persistence.save(next);
    state = next;
    describe(before, next);
    for (Listener l : listeners) {
      l.changed(before, next);
    }
  }

  private void describe(ClusterState before, ClusterState after) {
    if (before.sameChange(after)) {
      if (log.isDebugEnabled()) {
        log.debug("node {}: {} of {} handovers done for ring v{}", self, after.done().size(),
            after.needed().size(), after.target().version());
      }
      return;
    }
    if (after.settled()) {
      log.info("node {}: ring v{} is in effect ({} members: {})", self, after.ring().version(),
          after.ring().nodes().size(), after.ring().nodes());
    } else {
      log.info("node {}: ring change pending, v{} -> v{} ({}): {} handovers", self,
          after.ring().version(), after.next().version(), after.author(),
          after.needed().size());
    }
  }

  private void round() {
    String target;
    Digest mine;
    synchronized (this) {
      if (!running) {
        return;
      }
      beat++;
      heartbeats.put(self, new Heartbeat(generation, beat, state.ring().version()));
      rounds++;
      target = partner();
      mine = digest();
      timer = scheduler.schedule(settings.interval(), this::round);
    }
    if (target == null) {
      return;
    }
    transport.exchange(target, mine).whenComplete((reply, failure) -> {
      if (reply == null) {
        log.trace("gossip with {} failed: {}", target, failure.toString());
        return;
      }
      synchronized (this) {
        try {
          absorb(reply);
        } catch (ForeignClusterException e) {
          log.debug("gossip with {}: {}", target, e.getMessage());
        }
      }
    });
  }

  private String partner() {
    String own = state.address(self);
    List<String> peers = new ArrayList<>();
    for (Member m : state.live()) {
      if (!m.id().equals(self)) {
        peers.add(m.address());
      }
    }
    List<String> seedList = new ArrayList<>();
    for (String s : seeds) {
      if (!s.equals(own)) {
        seedList.add(s);
      }
    }
    boolean seedTurn = !seedList.isEmpty()
        && (peers.isEmpty() || rounds % Math.max(1, settings.seedEvery()) == 0);
    if (seedTurn) {
      return seedList.get(random.nextInt(seedList.size()));
    }
    return peers.isEmpty() ? null : peers.get(random.nextInt(peers.size()));
  }
}
