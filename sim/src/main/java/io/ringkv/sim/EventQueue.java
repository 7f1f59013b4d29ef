package io.ringkv.sim;

import io.ringkv.env.Scheduler;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The one clock and event queue of a simulation. Events run one at a time, in order of (virtual
 * time, sequence number): two events due at the same instant run in the order they were
 * scheduled, so the order never depends on anything but the seed. Time jumps from event to
 * event; nothing waits for real time.
 */
final class EventQueue {

  /** A scheduled task; cancelling it marks it, the queue skips it when it comes up. */
  static final class Event implements Scheduler.Cancellable {
    final long atNanos;
    final long seq;
    final Life owner;
    final Runnable task;
    private boolean cancelled;

    Event(long atNanos, long seq, Life owner, Runnable task) {
      this.atNanos = atNanos;
      this.seq = seq;
      this.owner = owner;
      this.task = task;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    boolean live() {
      return !cancelled && (owner == null || owner.alive());
    }
  }

  private final PriorityQueue<Event> queue =
      new PriorityQueue<>(
          (a, b) -> a.atNanos != b.atNanos ? Long.compare(a.atNanos, b.atNanos)
              : Long.compare(a.seq, b.seq));
  private final Consumer<RuntimeException> crashes;
  private long nowNanos;
  private long nextSeq;
  private long executed;
  private long fingerprint = 0xcbf29ce484222325L;

  /** @param crashes told of any exception an event lets escape (a bug, in protocol or sim code) */
  EventQueue(Consumer<RuntimeException> crashes) {
    this.crashes = crashes;
  }

  long now() {
    return nowNanos;
  }

  /** Events run so far. */
  long executed() {
    return executed;
  }

  /**
   * A hash of every event run (time and sequence number): two runs with the same fingerprint ran
   * the same events at the same instants. Cheap enough to keep on in every run.
   */
  long fingerprint() {
    return fingerprint;
  }

  /** Runs {@code task} after {@code delayNanos}; {@code owner == null}: no node owns it. */
  Event after(long delayNanos, Life owner, Runnable task) {
    if (delayNanos < 0) {
      throw new IllegalArgumentException("negative delay " + delayNanos);
    }
    Event e = new Event(nowNanos + delayNanos, nextSeq++, owner, task);
    queue.add(e);
    return e;
  }

  /** Runs the next live event, if any is due at or before {@code limitNanos}. */
  boolean step(long limitNanos) {
    while (!queue.isEmpty() && queue.peek().atNanos <= limitNanos) {
      Event e = queue.poll();
      if (!e.live()) {
        continue;
      }
      nowNanos = e.atNanos;
      executed++;
      fingerprint = (fingerprint ^ e.atNanos) * 0x100000001b3L;
      fingerprint = (fingerprint ^ e.seq) * 0x100000001b3L;
      try {
        e.task.run();
      } catch (RuntimeException ex) {
        crashes.accept(ex);
      }
      return true;
    }
    return false;
  }

  /** Runs events until none is due by {@code limitNanos}, then moves the clock to the limit. */
  void runUntil(long limitNanos) {
    while (step(limitNanos)) {
      // keep going
    }
    nowNanos = Math.max(nowNanos, limitNanos);
  }

  /**
   * Runs events until {@code done} holds or no live event is due by {@code limitNanos}; the
   * clock stays at the last event run. Returns whether {@code done} holds.
   */
  boolean runUntil(BooleanSupplier done, long limitNanos) {
    while (!done.getAsBoolean()) {
      if (!step(limitNanos)) {
        return done.getAsBoolean();
      }
    }
    return true;
  }

  /** Whether any live event is left. */
  boolean idle() {
    while (!queue.isEmpty() && !queue.peek().live()) {
      queue.poll();
    }
    return queue.isEmpty();
  }
}
