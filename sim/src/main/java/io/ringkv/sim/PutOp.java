package io.ringkv.sim;

import io.ringkv.version.Dot;
import io.ringkv.version.VersionVector;

/**
 * One client put or delete as the history records it: what the client sent, where its context
 * came from (so the checkers know what the client had seen), and what came back.
 */
final class PutOp {

  /** Where the put's context came from. */
  enum Source {
    /** The empty context. */
    BLIND,
    /** A get's context ({@link #fromRead}); fresh if that get just finished, else stale. */
    READ,
    /** The context an earlier put returned ({@link #fromPut}). */
    PUT
  }

  enum Outcome {
    PENDING,
    ACKED,
    /** The request failed: the write may or may not have happened. */
    FAILED,
    /** No answer before the client's deadline: the write may or may not have happened. */
    TIMED_OUT
  }

  final int id;
  final String client;
  final String key;
  /** The value, unique to this put; {@code null} for a delete. */
  final String value;
  final Source source;
  final GetOp fromRead;
  final PutOp fromPut;
  final VersionVector vectorIn;
  final int w;
  final String node;
  final long issuedNanos;
  final long issuedStep;
  Outcome outcome = Outcome.PENDING;
  long doneNanos;
  long doneStep;
  byte[] contextOut;
  /** The version the put's acknowledgement describes (its context's vector). */
  VersionVector vectorOut;
  /**
   * The dot of the acknowledged write: the one under which a node stored the put's value and
   * which the acknowledgement covers, else worked out from the context and the node's epochs.
   */
  Dot dot;
  /** When the node answered the client with success (0: it did not). */
  long answerStep;
  /** Nodes whose data or hints had seen the write when the node answered. */
  int holders;
  /** Home replicas whose data had seen the write when the node answered. */
  int homeHolders;
  String error;

  PutOp(int id, String client, String key, String value, Source source, GetOp fromRead,
      PutOp fromPut, VersionVector vectorIn, int w, String node, long issuedNanos,
      long issuedStep) {
    this.id = id;
    this.client = client;
    this.key = key;
    this.value = value;
    this.source = source;
    this.fromRead = fromRead;
    this.fromPut = fromPut;
    this.vectorIn = vectorIn;
    this.w = w;
    this.node = node;
    this.issuedNanos = issuedNanos;
    this.issuedStep = issuedStep;
  }

  boolean acked() {
    return outcome == Outcome.ACKED;
  }

  boolean isDelete() {
    return value == null;
  }

  @Override
  public String toString() {
    String what = value == null ? "delete" : "put '" + value + "'";
    String src = switch (source) {
      case BLIND -> "blind";
      case READ -> "context of get#" + fromRead.id;
      case PUT -> "context of put#" + fromPut.id;
    };
    return what + "#" + id + " (" + client + " via " + node + ", " + src
        + (w != 0 ? ", w=" + w : "") + (dot != null ? ", dot " + dot : "") + ")";
  }
}
