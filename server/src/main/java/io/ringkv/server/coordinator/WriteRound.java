package io.ringkv.server.coordinator;

import java.util.ArrayList;
import java.util.List;

import io.ringkv.env.Scheduler;
import io.ringkv.server.replica.Replica;
import io.ringkv.version.VersionedObject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicates one written version to the other targets and counts acknowledgements against W.
 * When a target fails, the version moves on to the next reachable node of the preference list as
 * a hint for the home replica it was meant for (sloppy quorum), so a node that died since the
 * failure detector last looked does not fail the write; when no such node is left, the
 * coordinator keeps the hint itself.
 */
final class WriteRound {

  private static final Logger log = LoggerFactory.getLogger(WriteRound.class);

  private final byte[] key;
  private final VersionedObject written;
  private final Targets targets;
  private final int quorum;
  private final byte[] context;
  private final Function<String, Replica> replicas;
  private final Deque<String> spares;
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private final Scheduler.Cancellable timer;
  private String self;
  private int acked;
  private int outstanding;

  WriteRound(byte[] key, VersionedObject written, Targets targets, int quorum, byte[] context,
      Function<String, Replica> replicas, Scheduler scheduler, Duration timeout) {
    this.key = key;
    this.written = written;
    this.targets = targets;
    this.quorum = quorum;
    this.context = context;
    this.replicas = replicas;
    this.spares = new ArrayDeque<>(targets.spares());
    this.timer = scheduler.schedule(timeout, this::deadline);
  }

  /**
   * Sends to every target but {@code self}, whose copy is already stored. A home replica that is
   * down with no fallback standing in for it (a cluster of N nodes) gets its copy as a hint kept
   * by the coordinator, delivered by handoff when it is back.
   */
  CompletableFuture<byte[]> start(String self) {
    List<String> uncovered = new ArrayList<>();
    for (String home : targets.home()) {
      if (!targets.nodes().contains(home) && !targets.standsInFor().containsValue(home)) {
        uncovered.add(home);
      }
    }
    synchronized (this) {
      this.self = self;
      acked = 1;
      outstanding = targets.nodes().size() - 1 + uncovered.size();
    }
    for (String node : targets.nodes()) {
      if (!node.equals(self)) {
        send(node, targets.isHome(node) ? null : targets.standsInFor().get(node));
      }
    }
    for (String home : uncovered) {
      send(self, home);
    }
    synchronized (this) {
      decide();
    }
    return result;
  }

  /** Sends the version to {@code node}: into its data, or as a hint for {@code hintFor}. */
  private void send(String node, String hintFor) {
    Replica r = replicas.apply(node);
    CompletableFuture<Void> call =
        hintFor == null ? r.merge(key, written) : r.hint(key, written, hintFor);
    call.whenComplete((ok, err) -> reply(node, hintFor, err));
  }

  private void reply(String node, String hintFor, Throwable err) {
    String retryOn = null;
    String retryFor = null;
    synchronized (this) {
      if (err == null) {
        // A hint the coordinator keeps on itself is not a second copy: it does not count for W.
        if (!node.equals(self)) {
          acked++;
        }
        outstanding--;
      } else {
        log.debug("write of a key to {} failed: {}", node, err.toString());
        retryFor = hintFor != null ? hintFor : node;
        retryOn = spares.pollFirst();
        if (retryOn == null && !node.equals(self) && !retryFor.equals(self)) {
          // No reachable node left to stand in: the coordinator keeps the hint itself, so the
          // copy still reaches its home replica by handoff instead of waiting for anti-entropy.
          retryOn = self;
        }
        if (retryOn == null) {
          outstanding--;
        }
      }
      decide();
    }
    if (retryOn != null) {
      send(retryOn, retryFor);
    }
  }

  private void decide() {
    if (result.isDone()) {
      return;
    }
    if (acked >= quorum) {
      timer.cancel();
      result.complete(context);
    } else if (outstanding == 0) {
      timer.cancel();
      result.completeExceptionally(unreached());
    }
  }

  private synchronized void deadline() {
    result.completeExceptionally(unreached());
  }

  private KvException unreached() {
    return KvException.unavailable("write quorum w=" + quorum + " not reached: " + acked
        + " of " + targets.nodes().size() + " replicas acknowledged (the write may still be on"
        + " those)");
  }
}
