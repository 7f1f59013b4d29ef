/**
 * Active anti-entropy (Dynamo section 4.7): per home partition a {@link
 * io.ringkv.server.antientropy.MerkleTree} kept current on every write ({@link
 * io.ringkv.server.antientropy.HashTrees}, the store's change listener), and background exchanges
 * between home replicas ({@link io.ringkv.server.antientropy.Exchange}, scheduled by {@link
 * io.ringkv.server.antientropy.AntiEntropy}) that sync the keys whose hashes differ.
 *
 * <p>Protocol code: it runs unchanged in the simulator, so it reaches time only through {@code
 * io.ringkv.env.Clock}, deferred work through {@code Scheduler} or an injected executor, other
 * nodes through {@link io.ringkv.server.antientropy.AntiEntropyPeer} and the disk through {@code
 * VersionedStore}; it must not import gRPC or RocksDB (the architecture test checks).
 */
package io.ringkv.server.antientropy;
