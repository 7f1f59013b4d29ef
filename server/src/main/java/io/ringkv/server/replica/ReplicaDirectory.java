package io.ringkv.server.replica;

/**
 * Finds the {@link Peer} for a node id. Production connects over gRPC; the simulator over its
 * simulated network.
 */
@FunctionalInterface
public interface ReplicaDirectory {
  Peer peer(String nodeId);
}
