package io.ringkv.server.replica;

/** Finds the {@link Replica} of a node id: the local one for this node, a remote one otherwise. */
@FunctionalInterface
public interface ReplicaDirectory {
  Replica replica(String nodeId);
}
