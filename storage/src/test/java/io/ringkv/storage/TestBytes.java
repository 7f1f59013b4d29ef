package io.ringkv.storage;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Short spellings of byte arrays for storage tests. */
public final class TestBytes {

  private TestBytes() {}

  /** {@code b(0x01, 0xff)}: ints as bytes, so literals above 0x7f need no casts. */
  public static byte[] b(int... bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = (byte) bytes[i];
    }
    return out;
  }

  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /** A decimal number as ASCII bytes. */
  public static byte[] number(int n) {
    return Integer.toString(n).getBytes(StandardCharsets.US_ASCII);
  }

  public static int number(byte[] ascii) {
    return Integer.parseInt(new String(ascii, StandardCharsets.US_ASCII));
  }
}
