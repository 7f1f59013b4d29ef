package io.ringkv.server.transfer;

import io.ringkv.env.Clock;
import io.ringkv.env.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Time the test advances: timers run in due order; executed tasks run at once. */
final class FakeTime implements Clock, Scheduler {
  private record Timer(long dueNanos, long seq, Runnable task) {}

  private final List<Timer> timers = new ArrayList<>();
  private long nowNanos;
  private long seq;

  @Override
  public long wallMillis() {
    return 1_000_000 + nowNanos / 1_000_000;
  }

  @Override
  public long monotonicNanos() {
    return nowNanos;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Timer t = new Timer(nowNanos + delay.toNanos(), seq++, task);
    timers.add(t);
    return () -> timers.remove(t);
  }

  @Override
  public void execute(Runnable task) {
    task.run();
  }

  void advance(Duration d) {
    long until = nowNanos + d.toNanos();
    while (true) {
      Timer next = null;
      for (Timer t : timers) {
        if (t.dueNanos <= until && (next == null || t.dueNanos < next.dueNanos
            || (t.dueNanos == next.dueNanos && t.seq < next.seq))) {
          next = t;
        }
      }
      if (next == null) {
        break;
      }
      timers.remove(next);
      nowNanos = Math.max(nowNanos, next.dueNanos);
      next.task.run();
    }
    nowNanos = until;
  }
}
