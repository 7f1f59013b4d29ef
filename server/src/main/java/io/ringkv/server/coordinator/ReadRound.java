package io.ringkv.server.coordinator;

import io.ringkv.env.Scheduler;
import io.ringkv.server.replica.Replica;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionCodec.ClientContext;
import io.ringkv.version.VersionedObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One get: asks every target, answers after R replies with the merge of what came back, then
 * repairs the home replicas that answered with something older, once every target replied or the
 * repair wait ran out. Fallbacks answer with the hints they hold for the key, and are not repaired.
 */
final class ReadRound {

  private static final Logger log = LoggerFactory.getLogger(ReadRound.class);

  private final byte[] key;
  private final Targets targets;
  private final int quorum;
  private final Function<String, Replica> replicas;
  private final Scheduler scheduler;
  private final Duration timeout;
  private final Duration repairWait;
  private final Coordinator.ReadRepairListener repairs;
  private final VersionedObject[] replies;
  private final CompletableFuture<Coordinator.ReadResult> result = new CompletableFuture<>();
  private int succeeded;
  private int failed;
  private int empty;
  private String firstHome;
  private boolean repaired;
  private Scheduler.Cancellable timer;
  private Scheduler.Cancellable repairTimer;

  ReadRound(byte[] key, Targets targets, int quorum, Function<String, Replica> replicas,
      Scheduler scheduler, Duration timeout, Duration repairWait,
      Coordinator.ReadRepairListener repairs) {
    this.key = key;
    this.targets = targets;
    this.quorum = quorum;
    this.replicas = replicas;
    this.scheduler = scheduler;
    this.timeout = timeout;
    this.repairWait = repairWait;
    this.repairs = repairs;
    this.replies = new VersionedObject[targets.nodes().size()];
  }

  CompletableFuture<Coordinator.ReadResult> start() {
    synchronized (this) {
      timer = scheduler.schedule(timeout, this::deadline);
    }
    List<String> nodes = targets.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      int index = i;
      String node = nodes.get(i);
      Replica r = replicas.apply(node);
      CompletableFuture<VersionedObject> read =
          targets.isHome(node) ? r.read(key) : r.readHints(key, targets.home());
      read.whenComplete((obj, err) -> reply(index, node, obj, err));
    }
    return result;
  }

  private synchronized void reply(int index, String node, VersionedObject obj, Throwable err) {
    int total = replies.length;
    if (err != null) {
      failed++;
      log.debug("read of a key from {} failed: {}", node, err.toString());
    } else {
      replies[index] = obj;
      if (!targets.isHome(node) && obj.siblings().isEmpty() && obj.context().isEmpty()) {
        // A fallback holding nothing for the key says little: it was not there for the writes.
        // Count it only if nothing better comes, so that a home replica's answer is not
        // outvoted by empty stand-ins.
        empty++;
      } else {
        succeeded++;
      }
      if (firstHome == null && targets.isHome(node)) {
        firstHome = node;
      }
    }
    if (!result.isDone()) {
      if (succeeded >= quorum
          || (succeeded + failed + empty == total && succeeded + empty >= quorum)) {
        result.complete(answer());
        if (succeeded + failed + empty < total) {
          // Give the stragglers a moment, then repair whoever has answered.
          repairTimer = scheduler.schedule(repairWait, this::repair);
          return;
        }
      } else if (failed > total - quorum) {
        timer.cancel();
        result.completeExceptionally(KvException.unavailable("read quorum r=" + quorum
            + " not reached: " + succeeded + " of " + total + " replicas answered"));
        return;
      }
    }
    if (succeeded + failed + empty == total) {
      repair();
    }
  }

  private synchronized void deadline() {
    if (!result.isDone()) {
      result.completeExceptionally(KvException.unavailable("read quorum r=" + quorum
          + " not reached within " + timeout.toMillis() + " ms: " + succeeded + " of "
          + replies.length + " replicas answered"));
    }
  }

  private Coordinator.ReadResult answer() {
    VersionedObject merged = merged();
    byte[] context = merged.context().isEmpty()
        ? new byte[0]
        : VersionCodec.encodeContext(new ClientContext(merged.context(), firstHome));
    return new Coordinator.ReadResult(merged, context);
  }

  private VersionedObject merged() {
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
    if (repairTimer != null) {
      // The stragglers answered in time: a timer left to fire would wake the timer thread for
      // nothing, once per get.
      repairTimer.cancel();
    }
    VersionedObject merged = merged();
    for (int i = 0; i < replies.length; i++) {
      String node = targets.nodes().get(i);
      if (replies[i] != null && targets.isHome(node) && !replies[i].equals(merged)) {
        repairs.repaired(node, key);
        log.debug("read repair of a key on {}", node);
        replicas.apply(node).merge(key, merged);
      }
    }
  }
}
