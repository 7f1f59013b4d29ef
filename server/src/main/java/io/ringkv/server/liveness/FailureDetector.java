package io.ringkv.server.liveness;

import io.ringkv.env.Clock;
import io.ringkv.env.Scheduler;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's local opinion of which peers are reachable (Dynamo section 4.8.3: purely local, no
 * consensus). Temporary failure never changes the ring; it only makes the coordinator skip a peer
 * for the next N healthy nodes and hold hints for it.
 *
 * <p>Two signals: replies to real requests and to probes are "arrivals" feeding a phi accrual
 * detector (Hayashibara et al.), with the mean interval floored at the probe interval so that a
 * busy peer is not suspected over a pause of a few milliseconds; and consecutive failed calls,
 * which mark a peer down at once (a refused connection needs no statistics). A peer we have not
 * heard from for a probe interval is probed; a down peer keeps being probed, and one reply brings
 * it back.
 */
public final class FailureDetector {

  private static final Logger log = LoggerFactory.getLogger(FailureDetector.class);
  private static final double LOG10_E = Math.log10(Math.E);

  /** The detector's tunables (from {@code failure-detector.*}). */
  public record Settings(Duration probeInterval, double phiThreshold, int failuresToSuspect) {}

  /** What one peer looks like from here, for admin output. */
  public record PeerView(boolean up, double phi, int consecutiveFailures) {}

  private final String self;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Settings settings;
  private final Map<String, PeerState> peers = new TreeMap<>();
  private volatile boolean stopped;

  public FailureDetector(String self, Clock clock, Scheduler scheduler, Settings settings) {
    this.self = self;
    this.clock = clock;
    this.scheduler = scheduler;
    this.settings = settings;
  }

  private final class PeerState {
    final String node;
    long lastArrivalNanos;
    double meanIntervalNanos;
    int failures;
    boolean up = true;
    boolean probing;

    PeerState(String node, long now) {
      this.node = node;
      this.lastArrivalNanos = now;
      this.meanIntervalNanos = settings.probeInterval().toNanos();
    }

    double phi(long now) {
      double floor = settings.probeInterval().toNanos();
      return (now - lastArrivalNanos) / Math.max(meanIntervalNanos, floor) * LOG10_E;
    }

    boolean available(long now) {
      return failures < settings.failuresToSuspect() && phi(now) < settings.phiThreshold();
    }
  }

  private synchronized PeerState state(String node) {
    return peers.computeIfAbsent(node, n -> new PeerState(n, clock.monotonicNanos()));
  }

  /** Whether the coordinator should count on {@code node} now. This node is always up. */
  public boolean isUp(String node) {
    if (node.equals(self)) {
      return true;
    }
    PeerState s = state(node);
    synchronized (this) {
      boolean up = s.available(clock.monotonicNanos());
      if (up != s.up) {
        s.up = up;
        log.info("node {} now considers {} {}", self, node, up ? "up" : "down");
      }
      return up;
    }
  }

  /** A reply arrived from {@code node}. */
  public void success(String node) {
    if (node.equals(self)) {
      return;
    }
    PeerState s = state(node);
    synchronized (this) {
      long now = clock.monotonicNanos();
      long interval = now - s.lastArrivalNanos;
      s.meanIntervalNanos = 0.9 * s.meanIntervalNanos + 0.1 * interval;
      s.lastArrivalNanos = now;
      s.failures = 0;
      if (!s.up) {
        s.up = true;
        log.info("node {} now considers {} up", self, node);
      }
    }
  }

  /** A call to {@code node} failed (refused, reset or past its deadline). */
  public void failure(String node) {
    if (node.equals(self)) {
      return;
    }
    PeerState s = state(node);
    synchronized (this) {
      s.failures++;
      if (s.up && !s.available(clock.monotonicNanos())) {
        s.up = false;
        log.info("node {} now considers {} down after {} failed calls", self, node, s.failures);
      }
    }
  }

  /**
   * Starts probing: every probe interval, each peer in {@code members} not heard from for that
   * long gets one probe (never two at once).
   */
  public void start(Supplier<Collection<String>> members,
      Function<String, CompletableFuture<Void>> probe) {
    scheduler.schedule(settings.probeInterval(), () -> round(members, probe));
  }

  public void stop() {
    stopped = true;
  }

  private void round(Supplier<Collection<String>> members,
      Function<String, CompletableFuture<Void>> probe) {
    if (stopped) {
      return;
    }
    long now = clock.monotonicNanos();
    for (String node : members.get()) {
      if (node.equals(self)) {
        continue;
      }
      PeerState s = state(node);
      boolean send;
      synchronized (this) {
        send = !s.probing && now - s.lastArrivalNanos >= settings.probeInterval().toNanos();
        s.probing |= send;
      }
      if (send) {
        probe.apply(node).whenComplete((ok, err) -> {
          synchronized (this) {
            s.probing = false;
          }
          if (err == null) {
            success(node);
          } else {
            failure(node);
          }
        });
      }
    }
    scheduler.schedule(settings.probeInterval(), () -> round(members, probe));
  }

  /** Every peer this node has an opinion of. */
  public synchronized Map<String, PeerView> view() {
    long now = clock.monotonicNanos();
    Map<String, PeerView> out = new TreeMap<>();
    peers.forEach((n, s) -> out.put(n, new PeerView(s.available(now), s.phi(now), s.failures)));
    return out;
  }
}
