package io.ringkv.version;

/** Bytes that do not decode to a context or an object: a client or disk error, never a crash. */
public final class MalformedVersionException extends IllegalArgumentException {
  public MalformedVersionException(String message) {
    super(message);
  }
}
