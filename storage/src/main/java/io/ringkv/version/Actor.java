package io.ringkv.version;

import java.util.Objects;

/**
 * Who issues versions: a node, in one life of its data directory. The epoch is chosen when the
 * data directory is created, so a node whose data was wiped is a new actor and can never reissue
 * counters that other replicas have already seen (Riak's "kv679" data loss).
 */
public record Actor(String node, long epoch) implements Comparable<Actor> {

  public Actor {
    Objects.requireNonNull(node, "node");
  }

  @Override
  public int compareTo(Actor o) {
    int c = node.compareTo(o.node);
    return c != 0 ? c : Long.compare(epoch, o.epoch);
  }

  @Override
  public String toString() {
    return node + "/" + Long.toUnsignedString(epoch, 36);
  }
}
