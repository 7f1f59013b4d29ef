package io.ringkv.ring;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Places keys on the 128-bit MD5 ring, as Dynamo does. The top 64 bits (the token) are enough to
 * find a key's partition and to order keys by ring position in storage.
 */
public final class KeyHash {

  private static final ThreadLocal<MessageDigest> MD5 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("the JDK has no MD5", e);
            }
          });

  private KeyHash() {}

  /** The 16-byte MD5 digest of {@code key}. */
  public static byte[] md5(byte[] key) {
    return MD5.get().digest(key);
  }

  /** The key's ring position: the first 8 bytes of its MD5, big-endian, read as unsigned. */
  public static long token(byte[] key) {
    byte[] d = md5(key);
    long t = 0;
    for (int i = 0; i < 8; i++) {
      t = (t << 8) | (d[i] & 0xFF);
    }
    return t;
  }
}
