/**
 * Data transfer when the ring changes (Dynamo section 4.9): a node that becomes a home replica
 * of a partition pulls the partition's objects from its current replicas in key-ordered,
 * resumable batches, and the current replicas forward every write of the partition to it
 * meanwhile. Protocol code: time, timers, network and storage only through the seams.
 */
package io.ringkv.server.transfer;
