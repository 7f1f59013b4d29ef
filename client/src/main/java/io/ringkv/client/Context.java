package io.ringkv.client;

import com.google.protobuf.ByteString;
import java.util.Base64;
import java.util.Objects;

/**
 * The opaque causal context a read returns and a write hands back, so that the write supersedes
 * exactly the versions the read saw. Immutable; equal by content.
 *
 * <p>{@link #EMPTY} is the context of a blind write: the value becomes a sibling of whatever is
 * stored. For command lines and scripts a context travels as {@link #toBase64() URL-safe base64}.
 */
public final class Context {

  /** No causal history: a write with it is blind. */
  public static final Context EMPTY = new Context(ByteString.EMPTY);

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private final ByteString bytes;

  private Context(ByteString bytes) {
    this.bytes = bytes;
  }

  /** A context holding a copy of {@code bytes}. */
  public static Context of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return bytes.length == 0 ? EMPTY : new Context(ByteString.copyFrom(bytes));
  }

  /**
   * Parses {@link #toBase64()} output. Accepts URL-safe base64 with or without padding, and the
   * standard alphabet too; the empty string is {@link #EMPTY}.
   *
   * @throws IllegalArgumentException if {@code base64} is not base64
   */
  public static Context fromBase64(String base64) {
    Objects.requireNonNull(base64, "base64");
    String urlSafe = base64.strip().replace('+', '-').replace('/', '_');
    return of(Base64.getUrlDecoder().decode(urlSafe));
  }

  static Context ofByteString(ByteString bytes) {
    return bytes.isEmpty() ? EMPTY : new Context(bytes);
  }

  ByteString byteString() {
    return bytes;
  }

  /** A copy of the raw context bytes. */
  public byte[] toBytes() {
    return bytes.toByteArray();
  }

  /** URL-safe base64 without padding; the empty context is the empty string. */
  public String toBase64() {
    return ENCODER.encodeToString(bytes.toByteArray());
  }

  public boolean isEmpty() {
    return bytes.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Context other && bytes.equals(other.bytes);
  }

  @Override
  public int hashCode() {
    return bytes.hashCode();
  }

  @Override
  public String toString() {
    return "Context[" + toBase64() + "]";
  }
}
