package io.ringkv.sim;

/**
 * A node that does not notice that its machine lost power, for {@link MutationTest}: every node
 * starts under the same boot id, so after a power cut it keeps its actor (as every node did
 * before the fix), and its next write of a key whose own last write the cut took carries a
 * counter above the lost one: replicas still holding the lost write take it as superseded and
 * drop it (kv679's counter jump).
 */
class SameBootWiring implements Wiring {

  @Override
  public String bootId(String node, String real) {
    return "boot-0";
  }
}
