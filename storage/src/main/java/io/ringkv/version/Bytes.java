package io.ringkv.version;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Varint writer and bounds-checked reader for the version codecs. Package-private. */
final class Bytes {

  private Bytes() {}

  /** How many bytes {@link Writer#varint} writes for {@code v}. */
  static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  /** How many bytes {@link Writer#string} writes for {@code s}, before its length. */
  static int utf8Length(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        return s.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return n;
  }

  /** A growable output buffer. */
  static final class Writer {
    private byte[] buf;
    private int len;

    Writer(int initialCapacity) {
      buf = new byte[initialCapacity];
    }

    void ensure(int extra) {
      if (len + extra > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
      }
    }

    Writer u8(int b) {
      ensure(1);
      buf[len++] = (byte) b;
      return this;
    }

    Writer varint(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[len++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[len++] = (byte) v;
      return this;
    }

    Writer bytes(byte[] b) {
      varint(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
      return this;
    }

    Writer string(String s) {
      int n = s.length();
      if (utf8Length(s) != n) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
      }
      // ASCII (node ids, as a rule): its UTF-8 is its chars, written without a temporary array.
      varint(n);
      ensure(n);
      for (int i = 0; i < n; i++) {
        buf[len++] = (byte) s.charAt(i);
      }
      return this;
    }

    Writer u32(int v) {
      ensure(4);
      buf[len++] = (byte) (v >>> 24);
      buf[len++] = (byte) (v >>> 16);
      buf[len++] = (byte) (v >>> 8);
      buf[len++] = (byte) v;
      return this;
    }

    int length() {
      return len;
    }

    byte[] buffer() {
      return buf;
    }

    byte[] toByteArray() {
      return buf.length == len ? buf : Arrays.copyOf(buf, len);
    }
  }

  /** Reads what {@link Writer} wrote; every read checks bounds and throws {@link Malformed}. */
  static final class Reader {
    private final byte[] buf;
    private int pos;
    private final int end;

    Reader(byte[] buf, int from, int to) {
      this.buf = buf;
      this.pos = from;
      this.end = to;
    }

    boolean atEnd() {
      return pos == end;
    }

    int u8() {
      if (pos >= end) {
        throw new Malformed("truncated");
      }
      return buf[pos++] & 0xFF;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = u8();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new Malformed("varint too long");
    }

    int length(int max) {
      long n = varint();
      if (n < 0 || n > max || n > end - pos) {
        throw new Malformed("length " + n + " out of range");
      }
      return (int) n;
    }

    /** An index into a table of {@code size} entries. */
    int index(int size) {
      long i = varint();
      if (i < 0 || i >= size) {
        throw new Malformed("index " + i + " out of range");
      }
      return (int) i;
    }

    byte[] bytes(int max) {
      int n = length(max);
      byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return out;
    }

    String string(int maxBytes) {
      int n = length(maxBytes);
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }
  }

  /** Thrown by {@link Reader} on input that was not written by {@link Writer}. */
  static final class Malformed extends RuntimeException {
    Malformed(String message) {
      super(message);
    }
  }
}
