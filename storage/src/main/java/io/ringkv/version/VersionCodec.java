package io.ringkv.version;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The two binary forms of versions: the opaque context handed to clients, and the stored (and
 * replicated) object. Both start with a format byte so either can evolve; contexts also carry a
 * CRC32C, because they travel through client code and come back as arbitrary bytes.
 *
 * <p>Decoders validate everything and throw {@link MalformedVersionException}; they never
 * allocate more than the input could hold.
 */
public final class VersionCodec {

  private static final int CONTEXT_FORMAT = 1;
  private static final int OBJECT_FORMAT = 1;
  private static final int FLAG_COORDINATOR = 1;
  private static final int FLAG_DOT = 2;
  private static final int MAX_NODE_ID_BYTES = 256;
  private static final int MAX_ENTRIES = 4096;
  private static final int MAX_VALUE_BYTES = Integer.MAX_VALUE - 64;

  private VersionCodec() {}

  /**
   * What a client's context says: the causal past it saw, and (optionally) the node that
   * answered its read first, to coordinate the next write (the paper's read-your-writes hint).
   *
   * <p>A put's context is dotted (as in dotted version vectors): the past the writer had seen,
   * plus the one new event {@code dot}. The vector alone could not say it: the new dot's counter
   * would also cover the coordinator's earlier events the writer never saw, and a write with
   * that context would silently supersede concurrent siblings.
   *
   * @param dot an event seen besides {@code vector}, or null
   */
  public record ClientContext(VersionVector vector, Dot dot, String coordinator) {
    public static final ClientContext EMPTY = new ClientContext(VersionVector.EMPTY, null, null);

    public ClientContext(VersionVector vector, String coordinator) {
      this(vector, null, coordinator);
    }

    /** Whether the writer had seen the event {@code d}. */
    public boolean covers(Dot d) {
      return vector.contains(d) || d.equals(dot);
    }

    /** Everything seen, as one vector (for counters and merges; it may cover more). */
    public VersionVector flattened() {
      return dot == null ? vector : vector.with(dot, 0);
    }
  }

  // ---------------------------------------------------------------- contexts

  public static byte[] encodeContext(ClientContext ctx) {
    Bytes.Writer w = new Bytes.Writer(16 + ctx.vector().size() * 24);
    w.u8(CONTEXT_FORMAT);
    w.u8((ctx.coordinator() != null ? FLAG_COORDINATOR : 0) | (ctx.dot() != null ? FLAG_DOT : 0));
    if (ctx.coordinator() != null) {
      w.string(ctx.coordinator());
    }
    if (ctx.dot() != null) {
      w.string(ctx.dot().actor().node());
      w.varint(ctx.dot().actor().epoch());
      w.varint(ctx.dot().counter());
    }
    writeVector(w, ctx.vector());
    CRC32C crc = new CRC32C();
    crc.update(w.buffer(), 0, w.length());
    w.u32((int) crc.getValue());
    return w.toByteArray();
  }

  /** Decodes a client's context; the empty byte string is the empty context (a blind write). */
  public static ClientContext decodeContext(byte[] bytes) {
    if (bytes.length == 0) {
      return ClientContext.EMPTY;
    }
    if (bytes.length < 6) {
      throw new MalformedVersionException("context is too short (" + bytes.length + " bytes)");
    }
    int bodyEnd = bytes.length - 4;
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bodyEnd);
    int expected =
        ((bytes[bodyEnd] & 0xFF) << 24)
            | ((bytes[bodyEnd + 1] & 0xFF) << 16)
            | ((bytes[bodyEnd + 2] & 0xFF) << 8)
            | (bytes[bodyEnd + 3] & 0xFF);
    if ((int) crc.getValue() != expected) {
      throw new MalformedVersionException("context checksum mismatch: not a context from ringkv");
    }
    try {
      Bytes.Reader r = new Bytes.Reader(bytes, 0, bodyEnd);
      int format = r.u8();
      if (format != CONTEXT_FORMAT) {
        throw new MalformedVersionException("unknown context format " + format);
      }
      int flags = r.u8();
      if ((flags & ~(FLAG_COORDINATOR | FLAG_DOT)) != 0) {
        throw new MalformedVersionException("unknown context flags " + flags);
      }
      String coordinator = (flags & FLAG_COORDINATOR) != 0 ? r.string(MAX_NODE_ID_BYTES) : null;
      Dot dot = null;
      if ((flags & FLAG_DOT) != 0) {
        dot = new Dot(new Actor(r.string(MAX_NODE_ID_BYTES), r.varint()), r.varint());
      }
      VersionVector v = readVector(r, new ArrayList<>());
      if (!r.atEnd()) {
        throw new MalformedVersionException("trailing bytes in context");
      }
      return new ClientContext(v, dot, coordinator);
    } catch (Bytes.Malformed | IllegalArgumentException e) {
      throw new MalformedVersionException("context does not decode: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- objects

  /**
   * The stored and replicated form of {@code o}; callers must not change the array (an object
   * keeps its encoding, and a second call returns the same array). Sized exactly before it is
   * written: a buffer grown or trimmed to size would allocate the value twice.
   */
  public static byte[] encodeObject(VersionedObject o) {
    byte[] made = o.encoding();
    if (made == null) {
      made = encode(o);
      o.encoding(made);
    }
    return made;
  }

  private static byte[] encode(VersionedObject o) {
    List<VersionVector.Entry> actors = o.context().entries();
    int size = 1 + vectorSize(o.context()) + Bytes.varintSize(o.siblings().size());
    for (Sibling s : o.siblings()) {
      size += Bytes.varintSize(actorIndex(actors, s.dot().actor()))
          + Bytes.varintSize(s.dot().counter()) + Bytes.varintSize(s.timestampMillis()) + 1
          + (s.isTombstone() ? 0 : Bytes.varintSize(s.value().length) + s.value().length);
    }
    Bytes.Writer w = new Bytes.Writer(size);
    w.u8(OBJECT_FORMAT);
    writeVector(w, o.context());
    w.varint(o.siblings().size());
    for (Sibling s : o.siblings()) {
      w.varint(actorIndex(actors, s.dot().actor()));
      w.varint(s.dot().counter());
      w.varint(s.timestampMillis());
      if (s.isTombstone()) {
        w.u8(1);
      } else {
        w.u8(0);
        w.bytes(s.value());
      }
    }
    return w.toByteArray();
  }

  /** A sibling's actor as its position in the object's context (a few entries: a scan). */
  private static int actorIndex(List<VersionVector.Entry> entries, Actor actor) {
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).actor().equals(actor)) {
        return i;
      }
    }
    throw new IllegalStateException("a sibling's dot " + actor + " is not in its object's context");
  }

  public static VersionedObject decodeObject(byte[] bytes) {
    return decodeObject(bytes, 0, bytes.length);
  }

  /**
   * Decodes {@code length} bytes of {@code bytes} from {@code offset}; the object keeps copies of
   * what it needs, never the array.
   */
  public static VersionedObject decodeObject(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    try {
      Bytes.Reader r = new Bytes.Reader(bytes, offset, offset + length);
      int format = r.u8();
      if (format != OBJECT_FORMAT) {
        throw new MalformedVersionException("unknown object format " + format);
      }
      List<Actor> actors = new ArrayList<>();
      VersionVector ctx = readVector(r, actors);
      int n = r.length(MAX_ENTRIES * 64);
      List<Sibling> siblings = new ArrayList<>(Math.min(n, 128));
      for (int i = 0; i < n; i++) {
        int idx = r.index(actors.size());
        Dot dot = new Dot(actors.get(idx), r.varint());
        long ts = r.varint();
        int tomb = r.u8();
        byte[] value = tomb == 1 ? null : r.bytes(MAX_VALUE_BYTES);
        siblings.add(new Sibling(dot, value, ts));
      }
      if (!r.atEnd()) {
        throw new MalformedVersionException("trailing bytes in object");
      }
      return VersionedObject.of(ctx, siblings);
    } catch (Bytes.Malformed | IllegalArgumentException e) {
      throw new MalformedVersionException("object does not decode: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- vectors

  private static void writeVector(Bytes.Writer w, VersionVector v) {
    w.varint(v.size());
    for (VersionVector.Entry e : v.entries()) {
      w.string(e.actor().node());
      w.varint(e.actor().epoch());
      w.varint(e.counter());
      w.varint(e.lastUpdateMillis());
    }
  }

  private static int vectorSize(VersionVector v) {
    int size = Bytes.varintSize(v.size());
    for (VersionVector.Entry e : v.entries()) {
      int node = Bytes.utf8Length(e.actor().node());
      size += Bytes.varintSize(node) + node + Bytes.varintSize(e.actor().epoch())
          + Bytes.varintSize(e.counter()) + Bytes.varintSize(e.lastUpdateMillis());
    }
    return size;
  }

  private static VersionVector readVector(Bytes.Reader r, List<Actor> actors) {
    int n = r.length(MAX_ENTRIES);
    List<VersionVector.Entry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Actor a = new Actor(r.string(MAX_NODE_ID_BYTES), r.varint());
      long counter = r.varint();
      long time = r.varint();
      if (counter < 1) {
        throw new MalformedVersionException("counter " + counter + " for " + a);
      }
      actors.add(a);
      entries.add(new VersionVector.Entry(a, counter, time));
    }
    VersionVector v = VersionVector.of(entries);
    if (v.size() != n) {
      throw new MalformedVersionException("duplicate actor in vector");
    }
    return v;
  }

}
