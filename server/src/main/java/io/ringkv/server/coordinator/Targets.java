package io.ringkv.server.coordinator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where one request goes (sloppy quorum, Dynamo section 4.6): the first N reachable nodes of the
 * key's preference list. A reachable node past the home replicas is a fallback and stands in for
 * one home replica that is down: it holds the write as a hint for that node.
 *
 * @param home the key's home replicas (the first N of the preference list)
 * @param nodes the nodes to use, in preference order
 * @param standsInFor for each fallback in {@code nodes}, the home replica it holds hints for
 * @param spares the reachable nodes after {@code nodes}: a write that fails on one of its
 *     targets moves on to these
 */
record Targets(List<String> home, List<String> nodes, Map<String, String> standsInFor,
    List<String> spares) {

  /** The home replicas in a preference list: its first {@code n} nodes. */
  static List<String> homeOf(List<String> preferenceList, int n) {
    return preferenceList.subList(0, Math.min(n, preferenceList.size()));
  }

  static Targets select(List<String> preferenceList, int n, Predicate<String> isUp) {
    List<String> home = homeOf(preferenceList, n);
    List<String> down = new ArrayList<>();
    for (String node : home) {
      if (!isUp.test(node)) {
        down.add(node);
      }
    }
    List<String> nodes = new ArrayList<>(home.size());
    List<String> spares = new ArrayList<>();
    Map<String, String> standsInFor = new LinkedHashMap<>();
    for (String node : preferenceList) {
      if (!isUp.test(node)) {
        continue;
      }
      if (nodes.size() == home.size()) {
        spares.add(node);
      } else {
        nodes.add(node);
        if (!home.contains(node)) {
          standsInFor.put(node, down.get(standsInFor.size()));
        }
      }
    }
    return new Targets(List.copyOf(home), Collections.unmodifiableList(nodes),
        Collections.unmodifiableMap(standsInFor), Collections.unmodifiableList(spares));
  }

  boolean isHome(String node) {
    return home.contains(node);
  }

  /** The first home replica among the targets, or null when every home replica is down. */
  String firstHome() {
    for (String node : nodes) {
      if (home.contains(node)) {
        return node;
      }
    }
    return null;
  }
}
