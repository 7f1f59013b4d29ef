package io.ringkv.sim;

/**
 * One run of a node's process, from start to crash. Every event a node schedules (timers, storage
 * work) belongs to its life; when the node crashes the life ends and the queue discards those
 * events, which is how a crash loses in-flight work without the protocol code knowing.
 */
final class Life {

  final String node;
  final int number;
  private boolean alive = true;
  /** Storage tasks queued and not yet run: work a crash would lose. */
  int pendingStorage;
  /** Calls to other nodes (probes too) this life made and has no outcome for yet. */
  int outstandingCalls;

  Life(String node, int number) {
    this.node = node;
    this.number = number;
  }

  boolean alive() {
    return alive;
  }

  void end() {
    alive = false;
  }

  /** Whether this life has protocol work under way (for the heal phase's quiescence test). */
  boolean busy() {
    return alive && (pendingStorage > 0 || outstandingCalls > 0);
  }

  @Override
  public String toString() {
    return node + "#" + number;
  }
}
