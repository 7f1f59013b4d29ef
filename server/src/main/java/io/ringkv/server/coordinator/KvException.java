package io.ringkv.server.coordinator;

/**
 * An expected failure of a request, with the outcome a client should see. Protocol code raises
 * these; only the gRPC edge turns them into statuses.
 */
public final class KvException extends RuntimeException {

  /** What kind of failure, mirroring the gRPC codes the edge answers with. */
  public enum Code {
    INVALID_ARGUMENT,
    FAILED_PRECONDITION,
    UNAVAILABLE,
    DEADLINE_EXCEEDED,
    INTERNAL
  }

  private final Code code;
  private final boolean answeredByPeer;

  public KvException(Code code, String message) {
    this(code, message, false);
  }

  /**
   * @param answeredByPeer the failure is another node's answer (it is alive), not a failure to
   *     reach it
   */
  public KvException(Code code, String message, boolean answeredByPeer) {
    super(message, null, false, false);
    this.code = code;
    this.answeredByPeer = answeredByPeer;
  }

  public Code code() {
    return code;
  }

  /** Whether another node answered with this failure (so it is reachable). */
  public boolean answeredByPeer() {
    return answeredByPeer;
  }

  public static KvException invalid(String message) {
    return new KvException(Code.INVALID_ARGUMENT, message);
  }

  public static KvException unavailable(String message) {
    return new KvException(Code.UNAVAILABLE, message);
  }
}
