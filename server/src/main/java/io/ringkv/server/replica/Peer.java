package io.ringkv.server.replica;

import java.util.concurrent.CompletableFuture;

/**
 * Another node, as the coordinator reaches it: a {@link Replica}, a coordinator a put can be
 * forwarded to, and something the failure detector can probe. Every call carries a deadline and
 * fails (never hangs) if the node does not answer.
 */
public interface Peer extends Replica {

  /**
   * Asks the peer to coordinate a put ({@code value == null}: a delete) itself, without
   * forwarding it further. Completes with the new version's context.
   */
  CompletableFuture<byte[]> coordinatePut(byte[] key, byte[] value, byte[] context, int w);

  /** Completes when the peer answers a liveness probe. */
  CompletableFuture<Void> ping();
}
