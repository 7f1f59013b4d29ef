package io.ringkv.env;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Where protocol code runs delayed and background work. Production backs it with a scheduled
 * executor; the simulator with one seeded event queue, so that a run replays exactly.
 */
public interface Scheduler extends Executor {

  /** A scheduled task that can still be called off. */
  interface Cancellable {
    /** Cancels the task if it has not started; harmless otherwise. */
    void cancel();
  }

  /** Runs {@code task} after {@code delay}, never inline. */
  Cancellable schedule(Duration delay, Runnable task);

  /** Runs {@code task} soon, never inline. */
  @Override
  void execute(Runnable task);
}
