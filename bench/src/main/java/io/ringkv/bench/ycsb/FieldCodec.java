package io.ringkv.bench.ycsb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The binary form of one YCSB record (its field map) as a single ringkv value.
 *
 * <pre>
 *   record := 0x01 (format) varint(count) field*          fields sorted by name, names unique
 *   field  := varint(len) name-bytes (UTF-8) varint(len) value-bytes
 * </pre>
 *
 * <p>Why this and not Java serialization or JSON: a YCSB record is 10 fields of 100 bytes, so the
 * framing is a few bytes per field (fields "field0".."field9" of 100 bytes encode in 1,082
 * bytes), and both directions are one pass with no per-field objects beyond the name and the
 * value. Sorting by name makes the encoding of a map unique, so equal records are equal values
 * and a sibling that resolves to the same record compares equal byte for byte.
 *
 * <p>Decoding validates every length against the input and throws
 * {@link IllegalArgumentException} on anything malformed: a value written by another program under
 * a YCSB key is reported, never misread.
 */
public final class FieldCodec {

  static final int FORMAT = 1;

  private FieldCodec() {}

  /** Encodes a field map (any order; names must be unique, which a Map guarantees). */
  public static byte[] encode(Map<String, byte[]> fields) {
    SortedMap<String, byte[]> sorted =
        fields instanceof TreeMap<String, byte[]> t && t.comparator() == null ? t
            : new TreeMap<>(fields);
    int size = 1 + 5;
    for (Map.Entry<String, byte[]> e : sorted.entrySet()) {
      size += 10 + e.getKey().length() * 3 + e.getValue().length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.write(FORMAT);
    writeVarint(out, sorted.size());
    for (Map.Entry<String, byte[]> e : sorted.entrySet()) {
      byte[] name = Objects.requireNonNull(e.getKey(), "field name")
          .getBytes(StandardCharsets.UTF_8);
      byte[] value = Objects.requireNonNull(e.getValue(), "value of " + e.getKey());
      writeVarint(out, name.length);
      out.write(name, 0, name.length);
      writeVarint(out, value.length);
      out.write(value, 0, value.length);
    }
    return out.toByteArray();
  }

  /** Every field of an encoded record, sorted by name. */
  public static SortedMap<String, byte[]> decode(byte[] record) {
    return decode(record, null);
  }

  /**
   * The fields of an encoded record named in {@code wanted} ({@code null}: all), sorted by name.
   * Values of other fields are skipped, not copied.
   */
  public static SortedMap<String, byte[]> decode(byte[] record, Set<String> wanted) {
    Reader r = new Reader(record);
    int format = r.u8();
    if (format != FORMAT) {
      throw new IllegalArgumentException("not a YCSB record of the ringkv binding: format byte "
          + format + " (expected " + FORMAT + ")");
    }
    int count = r.length();
    SortedMap<String, byte[]> out = new TreeMap<>();
    String previous = null;
    for (int i = 0; i < count; i++) {
      int nameLength = r.length();
      String name = new String(record, r.take(nameLength), nameLength, StandardCharsets.UTF_8);
      if (previous != null && previous.compareTo(name) >= 0) {
        throw new IllegalArgumentException("fields out of order or repeated at '" + name + "'");
      }
      previous = name;
      int valueLength = r.length();
      int at = r.take(valueLength);
      if (wanted == null || wanted.contains(name)) {
        byte[] value = new byte[valueLength];
        System.arraycopy(record, at, value, 0, valueLength);
        out.put(name, value);
      }
    }
    if (!r.atEnd()) {
      throw new IllegalArgumentException(
          "trailing bytes after " + count + " fields (" + record.length + " bytes in all)");
    }
    return out;
  }

  private static void writeVarint(ByteArrayOutputStream out, int value) {
    int v = value;
    while ((v & ~0x7F) != 0) {
      out.write((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }

  /** Bounds-checked reading: every length must fit in what is left of the input. */
  private static final class Reader {
    private final byte[] bytes;
    private int pos;

    Reader(byte[] bytes) {
      this.bytes = Objects.requireNonNull(bytes, "record");
    }

    int u8() {
      if (pos >= bytes.length) {
        throw new IllegalArgumentException("record is truncated at byte " + pos);
      }
      return bytes[pos++] & 0xFF;
    }

    /** A varint that must fit in an int and in the bytes left. */
    int length() {
      long v = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        int b = u8();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          if (v > bytes.length - pos) {
            throw new IllegalArgumentException(
                "length " + v + " at byte " + pos + " is past the end of the record");
          }
          return (int) v;
        }
      }
      throw new IllegalArgumentException("varint too long at byte " + pos);
    }

    /** Skips {@code n} bytes (already checked by {@link #length}); returns where they start. */
    int take(int n) {
      int at = pos;
      pos += n;
      return at;
    }

    boolean atEnd() {
      return pos == bytes.length;
    }
  }
}
