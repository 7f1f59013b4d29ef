package io.ringkv.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventQueueTest {

  private final List<RuntimeException> crashes = new ArrayList<>();
  private final EventQueue queue = new EventQueue(crashes::add);
  private final List<String> ran = new ArrayList<>();

  @Test
  void runsByTimeThenByOrderOfScheduling() {
    queue.after(20, null, () -> ran.add("b"));
    queue.after(10, null, () -> ran.add("a"));
    queue.after(20, null, () -> ran.add("c"));
    queue.runUntil(100);
    assertThat(ran).containsExactly("a", "b", "c");
    assertThat(queue.now()).isEqualTo(100);
  }

  @Test
  void cancelledEventsAndEventsOfEndedLivesDoNotRun() {
    Life life = new Life("n1", 1);
    queue.after(10, null, () -> ran.add("cancelled")).cancel();
    queue.after(10, life, () -> ran.add("of a dead node"));
    queue.after(5, null, life::end);
    queue.after(10, new Life("n2", 1), () -> ran.add("alive"));
    queue.runUntil(100);
    assertThat(ran).containsExactly("alive");
    assertThat(queue.idle()).isTrue();
  }

  @Test
  void schedulerNeverRunsInline() {
    NodeScheduler s = new NodeScheduler(queue, new Life("n1", 1));
    s.execute(() -> ran.add("later"));
    assertThat(ran).isEmpty();
    queue.runUntil(0);
    assertThat(ran).containsExactly("later");
  }

  @Test
  void anEscapingExceptionIsReportedAndTheRunGoesOn() {
    queue.after(1, null, () -> {
      throw new IllegalStateException("boom");
    });
    queue.after(2, null, () -> ran.add("next"));
    queue.runUntil(10);
    assertThat(crashes).hasSize(1);
    assertThat(ran).containsExactly("next");
  }

  @Test
  void clockSkewAndJumpsMoveTheWallClockOnly() {
    SimClock clock = new SimClock(queue, 5_000_000L, 1_000L);
    queue.after(2_000_000L, null, () -> { });
    queue.runUntil(2_000_000L);
    assertThat(clock.wallMillis()).isEqualTo(SimClock.BASE_WALL_MILLIS + 7);
    assertThat(clock.monotonicNanos()).isEqualTo(2_001_000L);
    clock.jump(-10_000_000L);
    assertThat(clock.wallMillis()).isEqualTo(SimClock.BASE_WALL_MILLIS - 3);
    assertThat(clock.monotonicNanos()).isEqualTo(2_001_000L);
  }
}
