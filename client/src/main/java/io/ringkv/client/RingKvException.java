package io.ringkv.client;

import java.util.Objects;

/**
 * A failed call: the status the server (or the transport) returned, with its code and message.
 * Blocking methods throw it; asynchronous ones complete their future exceptionally with it.
 *
 * <p>The codes the server uses on purpose: {@link Code#INVALID_ARGUMENT} (bad key, value, context,
 * r or w), {@link Code#FAILED_PRECONDITION} (too many siblings: read, resolve, then write),
 * {@link Code#UNAVAILABLE} (quorum not reached, node down or unreachable) and
 * {@link Code#DEADLINE_EXCEEDED}.
 */
public class RingKvException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The gRPC status codes (all but OK), with the same names and meanings. */
  public enum Code {
    CANCELLED,
    UNKNOWN,
    INVALID_ARGUMENT,
    DEADLINE_EXCEEDED,
    NOT_FOUND,
    ALREADY_EXISTS,
    PERMISSION_DENIED,
    RESOURCE_EXHAUSTED,
    FAILED_PRECONDITION,
    ABORTED,
    OUT_OF_RANGE,
    UNIMPLEMENTED,
    INTERNAL,
    UNAVAILABLE,
    DATA_LOSS,
    UNAUTHENTICATED;

    /**
     * Whether retrying the same call later may succeed: the cluster was unavailable, busy or slow.
     * A write retried after such a failure may apply twice (a sibling of itself, at worst).
     */
    public boolean isTransient() {
      return this == UNAVAILABLE || this == DEADLINE_EXCEEDED || this == RESOURCE_EXHAUSTED
          || this == ABORTED;
    }
  }

  private final Code code;
  private final String description;

  public RingKvException(Code code, String description) {
    this(code, description, null);
  }

  public RingKvException(Code code, String description, Throwable cause) {
    super(code + (description == null || description.isEmpty() ? "" : ": " + description), cause);
    this.code = Objects.requireNonNull(code, "code");
    this.description = description == null ? "" : description;
  }

  public Code code() {
    return code;
  }

  /** The server's (or transport's) message, without the code; may be empty. */
  public String description() {
    return description;
  }
}
