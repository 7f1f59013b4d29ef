package io.ringkv.gossip;

/**
 * One unit of data transfer in a ring change: {@code node} becomes a home replica of
 * {@code partition} and must receive its keys before the change is committed.
 */
public record Handover(int partition, String node) implements Comparable<Handover> {

  @Override
  public int compareTo(Handover o) {
    int c = Integer.compare(partition, o.partition);
    return c != 0 ? c : node.compareTo(o.node);
  }
}
