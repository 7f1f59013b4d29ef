package io.ringkv.gossip;

import java.util.Objects;

/**
 * One node as the cluster knows it: its id, the address peers and clients reach it at, its
 * weight in the ring, and where it is in its life as a member.
 */
public record Member(String id, String address, int weight, State state) {

  /** A member's life: joining, then normal, then leaving, then removed (kept as a tombstone). */
  public enum State {
    /** In the pending ring only: receiving its partitions; serves no reads yet. */
    JOINING,
    /** In the ring. */
    NORMAL,
    /** In the ring but not in the pending one: its partitions are moving to their new owners. */
    LEAVING,
    /** Gone from the ring. Kept so that gossip never brings it back. */
    REMOVED;

    /** The lower-case name used in the API and the CLI. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Member {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(state, "state");
    if (weight < 1) {
      throw new IllegalArgumentException("weight of " + id + " must be >= 1: " + weight);
    }
  }

  public Member withState(State s) {
    return new Member(id, address, weight, s);
  }
}
