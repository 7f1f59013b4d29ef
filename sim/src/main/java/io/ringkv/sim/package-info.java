/**
 * The deterministic simulator: a whole ringkv cluster's protocol code (coordinators, replicas,
 * versioned stores) in one thread, with time, timers, the network, crashes and disks simulated
 * from one seed, a random client workload recorded in a {@link io.ringkv.sim.History}, and
 * checkers run after the cluster heals. The same seed replays the same run event for event.
 *
 * <p>Owns: the virtual clock and event queue, the simulated network and transport, the fault
 * schedule, the workload and the invariants. Depends on the protocol modules only through their
 * public seams ({@code Clock}, {@code Scheduler}, {@code ReplicaDirectory}/{@code Peer},
 * {@code StorageEngine}); it never changes them. Must not use threads, system time, unseeded
 * randomness or hash-ordered iteration anywhere a run's order could depend on it.
 */
package io.ringkv.sim;
