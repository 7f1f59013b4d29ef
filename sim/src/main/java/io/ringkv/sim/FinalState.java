package io.ringkv.sim;

import io.ringkv.ring.Ring;
import io.ringkv.version.VersionedObject;
import java.util.List;
import java.util.Map;

/**
 * What the cluster holds after the heal phase, as the checkers see it.
 *
 * @param merged per key, what the final get with r = N answered (absent if it failed)
 * @param readErrors per key, why the final get failed
 * @param stored per key, per home replica, the object in that replica's store
 * @param handedOff per key, per home replica, the object in that replica's store once the
 *     cluster had healed and handed every hint off, before the healing reads repaired anything
 *     (empty if it did not heal)
 * @param storedBeforeReads the same, once anti-entropy had converged and before the healing reads
 *     (so read repair cannot have done anti-entropy's work)
 * @param antiEntropyUnconverged partitions whose home replicas' trees still differed when the
 *     heal phase gave up waiting for anti-entropy (empty: converged)
 * @param hintsLeft one entry per node whose hint space is not empty
 * @param rings per node, the ring it routes by
 * @param unhealed what still stood in the way when the heal phase gave up (empty: healed)
 */
record FinalState(
    Map<String, VersionedObject> merged,
    Map<String, String> readErrors,
    Map<String, Map<String, VersionedObject>> stored,
    Map<String, Map<String, VersionedObject>> handedOff,
    Map<String, Map<String, VersionedObject>> storedBeforeReads,
    List<String> antiEntropyUnconverged,
    List<String> hintsLeft,
    Map<String, Ring> rings,
    List<String> unhealed) {}
