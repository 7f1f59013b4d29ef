package io.ringkv.sim;

import io.ringkv.version.VersionedObject;

/** One client get as the history records it. Mutable until it completes; single-threaded. */
final class GetOp {

  final int id;
  final String client;
  final String key;
  final int r;
  final String node;
  final long issuedNanos;
  final long issuedStep;
  /** The coordinator counted on every home replica: the get asked exactly them. */
  boolean homeTargets;
  boolean done;
  boolean ok;
  long doneNanos;
  long doneStep;
  /** What the coordinator answered (the simulator's privileged view: siblings with their dots). */
  VersionedObject object;
  /** The opaque context the client got. */
  byte[] context;
  String error;

  GetOp(int id, String client, String key, int r, String node, long issuedNanos, long issuedStep) {
    this.id = id;
    this.client = client;
    this.key = key;
    this.r = r;
    this.node = node;
    this.issuedNanos = issuedNanos;
    this.issuedStep = issuedStep;
  }

  @Override
  public String toString() {
    return "get#" + id + "(" + client + " " + key + " via " + node + (r != 0 ? " r=" + r : "")
        + ")";
  }
}
