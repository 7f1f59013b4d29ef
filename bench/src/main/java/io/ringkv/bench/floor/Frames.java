package io.ringkv.bench.floor;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The floor's messages: byte arrays on two bidirectional streams, each carrying a request id, a
 * kind (a read or a write) and a payload the size of workload A's. The sizes follow the request
 * path: a read asks with a key and is answered with a record; a write sends a record and is
 * answered with an acknowledgement.
 */
final class Frames {

  static final byte READ = 0;
  static final byte WRITE = 1;
  /** YCSB's record: 10 fields of 100 bytes, with their names. */
  static final int RECORD_BYTES = 1_100;
  /** A key (YCSB's "user" and 19 digits) or an acknowledgement with a version context. */
  static final int SMALL_BYTES = 24;

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  /** Client to a node, as ringkv's client sessions. */
  static final MethodDescriptor<byte[], byte[]> SESSION = stream("Session");
  /** Coordinator to replica, as ringkv's replica streams. */
  static final MethodDescriptor<byte[], byte[]> REPLICA = stream("Replica");

  private static MethodDescriptor<byte[], byte[]> stream(String name) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("ringkv.floor.Floor", name))
        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
  }

  static byte[] request(long id, byte kind) {
    return frame(id, kind, kind == READ ? SMALL_BYTES : RECORD_BYTES);
  }

  static byte[] answer(byte[] request) {
    byte kind = kind(request);
    return frame(id(request), kind, kind == READ ? RECORD_BYTES : SMALL_BYTES);
  }

  private static byte[] frame(long id, byte kind, int payload) {
    byte[] f = new byte[9 + payload];
    ByteBuffer.wrap(f).putLong(id).put(kind);
    return f;
  }

  static long id(byte[] frame) {
    return ByteBuffer.wrap(frame).getLong(0);
  }

  static byte kind(byte[] frame) {
    return frame[8];
  }

  private Frames() {}
}
