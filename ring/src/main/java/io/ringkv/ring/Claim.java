package io.ringkv.ring;

import java.util.List;
import java.util.SortedMap;

/**
 * A claim algorithm: decides which node owns each partition when the membership changes. Pure and
 * deterministic (same arguments, same answer; no clock, no unseeded randomness, no iteration over
 * hash-ordered collections), so that the deterministic simulator and a claim simulator can replay
 * it. {@link BalancedClaim} is the default; {@link Ring#initial(int, int, java.util.Map, Claim)} and
 * {@link Ring#withMembers(java.util.Map, Claim)} accept others.
 */
public interface Claim {

  /**
   * Returns the new owner of every partition.
   *
   * @param owners the current owner of each partition, index = partition (its size is the partition
   *     count Q). An entry is {@code null} when the partition has no owner yet (a new ring) and may
   *     name a node that is no longer in {@code weights} (a node being removed); both must be given
   *     to a member.
   * @param weights the members after the change and their weights (each positive), sorted by name
   * @param targetN the replication factor N the layout should serve
   * @return a list of Q node names, each a key of {@code weights}
   */
  List<String> claim(List<String> owners, SortedMap<String, Integer> weights, int targetN);
}
