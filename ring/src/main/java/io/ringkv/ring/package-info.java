/**
 * The consistent-hash ring: key placement by MD5 ({@link io.ringkv.ring.KeyHash}), Q equal
 * partitions with one owner each, preference lists (home replicas, then fallbacks) and the claim
 * algorithm that assigns partitions when members join, leave or change weight.
 *
 * <p>Public API: {@link io.ringkv.ring.Ring} (an immutable, versioned value), {@link
 * io.ringkv.ring.Move} (one partition changing owner, from {@link io.ringkv.ring.Ring#diff}), the
 * pluggable {@link io.ringkv.ring.Claim} and its default {@link io.ringkv.ring.BalancedClaim}. The
 * other classes are the claim's package-private parts.
 *
 * <p>Pure values and functions: no I/O, no threads, no clocks, no unseeded randomness, no iteration
 * over hash-ordered collections; the same inputs give the same ring, so the deterministic
 * simulator can use it. Depends on the JDK only.
 */
package io.ringkv.ring;
