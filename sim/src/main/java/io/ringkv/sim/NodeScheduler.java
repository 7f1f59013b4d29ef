package io.ringkv.sim;

import io.ringkv.env.Scheduler;
import java.time.Duration;

/**
 * A node's {@link Scheduler} in one life: its tasks go on the shared event queue, owned by the
 * life, so a crash drops every timer the node had set.
 */
final class NodeScheduler implements Scheduler {

  private final EventQueue queue;
  private final Life life;

  NodeScheduler(EventQueue queue, Life life) {
    this.queue = queue;
    this.life = life;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    return queue.after(Math.max(0, delay.toNanos()), life, task);
  }

  /** Runs the task as a separate event at the current instant: never inline, as promised. */
  @Override
  public void execute(Runnable task) {
    queue.after(0, life, task);
  }
}
