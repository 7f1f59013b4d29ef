package io.ringkv.gossip;

/** An administrator's change that cannot be made, with a message that says why. */
public final class MembershipException extends RuntimeException {

  /** What kind of refusal, so the gRPC edge can pick a status. */
  public enum Reason {
    /** The request names something that does not exist or is malformed. */
    INVALID,
    /** The request is fine but the cluster is not in a state that allows it. */
    REFUSED,
    /** The node is already what the request asks for. */
    ALREADY
  }

  private final Reason reason;

  public MembershipException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
