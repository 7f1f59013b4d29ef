/**
 * The runtime seams of protocol code: time ({@link io.ringkv.env.Clock}) and deferred work
 * ({@link io.ringkv.env.Scheduler}). Randomness is a {@link java.util.random.RandomGenerator}
 * passed in by the owner. Production and the simulator wire these differently; protocol packages
 * must not reach past them to the system clock, threads or sleeps.
 */
package io.ringkv.env;
