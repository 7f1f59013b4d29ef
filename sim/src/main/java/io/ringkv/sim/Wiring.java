package io.ringkv.sim;

import io.ringkv.server.antientropy.AntiEntropyPeer;
import io.ringkv.server.replica.Peer;
import io.ringkv.server.replica.ReplicaDirectory;
import io.ringkv.server.transfer.Transfers;
import io.ringkv.storage.StorageEngine;
import java.util.concurrent.CompletableFuture;

/**
 * Where a simulation may swap in a component: the real one by default. Tests wire deliberately
 * broken decorators here (a coordinator's view of a peer that acknowledges too early, a storage
 * engine that drops siblings, a hinted handoff that deletes hints it never delivered) to prove
 * the checkers catch them, without any flag in production code.
 */
public interface Wiring {

  /** The real components. */
  Wiring REAL = new Wiring() {};

  /** How node {@code from} reaches node {@code to}; {@code real} goes over the simulated net. */
  default Peer peer(String from, String to, Peer real) {
    return real;
  }

  /** How node {@code from}'s anti-entropy reaches node {@code to}'s. */
  default AntiEntropyPeer antiEntropyPeer(String from, String to, AntiEntropyPeer real) {
    return real;
  }

  /**
   * The storage engine of {@code node}, wrapped once per disk (it survives restarts; a disk loss
   * makes a new one).
   */
  default StorageEngine engine(String node, StorageEngine real) {
    return real;
  }

  /**
   * The boot id node {@code node} starts under ({@code real}: a new one after each power cut of
   * its machine), which decides whether it takes a new epoch.
   */
  default String bootId(String node, String real) {
    return real;
  }

  /**
   * How node {@code node}'s transfers serve a batch of a partition to a node receiving it;
   * {@code real} is the node's {@code Transfers}.
   */
  default CompletableFuture<Transfers.Batch> serve(String node, Transfers real, int partition,
      byte[] afterKey, int maxBytes, long pendingRingVersion) {
    return real.serve(partition, afterKey, maxBytes, pendingRingVersion);
  }

  /**
   * How node {@code node}'s transfers fetch batches from the nodes they receive partitions from;
   * {@code real} goes over the simulated network.
   */
  default Transfers.Source fetch(String node, Transfers.Source real) {
    return real;
  }

  /**
   * How the hinted handoff of {@code node} reaches the nodes it hands hints back to; {@code real}
   * is the directory the node's coordinator uses too (monitored by its failure detector).
   */
  default ReplicaDirectory handoff(String node, ReplicaDirectory real) {
    return real;
  }
}
