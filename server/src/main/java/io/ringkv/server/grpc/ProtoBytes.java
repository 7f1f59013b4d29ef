package io.ringkv.server.grpc;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.ringkv.version.MalformedVersionException;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Objects decoded straight from a received message's bytes. {@code ByteString.toByteArray} copies
 * the whole encoding only for the decoder to copy the values out of it again: a second copy of
 * every value a node receives (4 to 6% of a node's allocation in the benchmark). The decoder keeps
 * copies of what it needs, so reading the message's own array is safe.
 */
final class ProtoBytes {

  private ProtoBytes() {}

  /** Decodes an encoded object; throws {@link MalformedVersionException} as the codec does. */
  static VersionedObject decodeObject(ByteString bytes) {
    Slice slice = new Slice();
    try {
      // Hands over the backing array of a flat ByteString (what parsing a message makes);
      // anything else arrives in pieces or as a buffer and is copied.
      UnsafeByteOperations.unsafeWriteTo(bytes, slice);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // Slice never throws
    }
    return slice.pieces == 1
        ? VersionCodec.decodeObject(slice.array, slice.offset, slice.length)
        : VersionCodec.decodeObject(bytes.toByteArray());
  }

  /** The one array a flat ByteString writes itself as, or a count of pieces other than one. */
  private static final class Slice extends ByteOutput {
    byte[] array;
    int offset;
    int length;
    int pieces;

    @Override
    public void writeLazy(byte[] value, int offset, int length) {
      if (pieces++ == 0) {
        this.array = value;
        this.offset = offset;
        this.length = length;
      }
    }

    @Override
    public void write(byte[] value, int offset, int length) {
      pieces += 2; // may be a temporary buffer: not ours to keep a view of
    }

    @Override
    public void write(byte value) {
      pieces += 2;
    }

    @Override
    public void write(ByteBuffer value) {
      pieces += 2;
    }

    @Override
    public void writeLazy(ByteBuffer value) {
      pieces += 2;
    }
  }
}
