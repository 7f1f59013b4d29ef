package io.ringkv.server.coordinator;

import java.util.List;

/**
 * Where a key lives: its preference list, distinct nodes in ring order. The first n are the key's
 * home replicas; the rest are fallbacks. Implementations are snapshots of the ring (immutable).
 */
public interface Placement {

  /** The node ids of the preference list of {@code key}, home replicas first. */
  List<String> preferenceList(byte[] key);

  /** A placement with every key on the same nodes, in the given order (a static cluster). */
  static Placement fixed(List<String> nodes) {
    List<String> copy = List.copyOf(nodes);
    return key -> copy;
  }
}
