package io.ringkv.server.grpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.MethodDescriptor.PrototypeMarshaller;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends protobuf messages without allocating a buffer for each one.
 *
 * <p>gRPC's protobuf marshaller gives the message framer a stream whose {@code drainTo} calls
 * {@code MessageLite.writeTo(OutputStream)}, and protobuf allocates an encoding buffer the size
 * of the message (up to 4 KiB) for every call, only to copy it into gRPC's frame: 11% of the bytes
 * a node allocated under YCSB, more young collections for nothing (docs/BENCHMARKS.md, session
 * 13). Here a message is encoded into a buffer that its sending thread keeps and copied into the
 * frame from there: the same one copy, no new array. Messages larger than the buffer, and a send
 * that starts while its thread's buffer is in use, take protobuf's own path. Receiving is
 * gRPC's own parser, unchanged.
 */
public final class ThreadBufferMarshalling {

  /** Larger than any message of the request path (a value of a few KiB and its context). */
  static final int BUFFER_BYTES = 64 << 10;

  private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

  private ThreadBufferMarshalling() {}

  /** {@code service} with every protobuf method's marshallers sending this way. */
  public static ServerServiceDefinition of(ServerServiceDefinition service) {
    ServiceDescriptor old = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(old.getName())
        .setSchemaDescriptor(old.getSchemaDescriptor());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> changed = changed(method);
      methods.add(changed);
      descriptor.addMethod(changed.getMethodDescriptor());
    }
    // gRPC checks that each bound method is the very descriptor the service descriptor lists.
    ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(builder::addMethod);
    return builder.build();
  }

  /** {@code method} with both marshallers sending this way (those that are protobuf's). */
  static <Q, R> MethodDescriptor<Q, R> of(MethodDescriptor<Q, R> method) {
    return method.toBuilder(of(method.getRequestMarshaller()), of(method.getResponseMarshaller()))
        .build();
  }

  private static <Q, R> ServerMethodDefinition<Q, R> changed(ServerMethodDefinition<Q, R> m) {
    return ServerMethodDefinition.create(of(m.getMethodDescriptor()), m.getServerCallHandler());
  }

  @SuppressWarnings("unchecked")
  private static <T> Marshaller<T> of(Marshaller<T> marshaller) {
    if (marshaller instanceof PrototypeMarshaller<T> proto
        && proto.getMessagePrototype() instanceof MessageLite) {
      return (Marshaller<T>) new Reusing<>((PrototypeMarshaller<MessageLite>) proto);
    }
    return marshaller;
  }

  private static final class Reusing<T extends MessageLite> implements PrototypeMarshaller<T> {
    private final PrototypeMarshaller<T> protobuf;

    Reusing(PrototypeMarshaller<T> protobuf) {
      this.protobuf = protobuf;
    }

    @Override
    public InputStream stream(T value) {
      return new Encoded(value);
    }

    @Override
    public T parse(InputStream stream) {
      return protobuf.parse(stream);
    }

    @Override
    public T getMessagePrototype() {
      return protobuf.getMessagePrototype();
    }

    @Override
    public Class<T> getMessageClass() {
      return protobuf.getMessageClass();
    }
  }

  /** A thread's encoding buffer; {@code inUse} guards against a send nested in another. */
  private static final class Buffer {
    final byte[] bytes = new byte[BUFFER_BYTES];
    boolean inUse;
  }

  /**
   * A message as the framer takes it: drained into the frame (the path gRPC uses), or read as
   * bytes by anything else.
   */
  static final class Encoded extends InputStream implements Drainable, KnownLength {
    private MessageLite message;
    private final int size;
    private ByteArrayInputStream unread;

    Encoded(MessageLite message) {
      this.message = message;
      this.size = message.getSerializedSize();
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      if (message == null) {
        return unread == null ? 0 : (int) unread.transferTo(target);
      }
      MessageLite m = message;
      message = null;
      Buffer buffer = BUFFERS.get();
      if (size > buffer.bytes.length || buffer.inUse) {
        m.writeTo(target);
        return size;
      }
      buffer.inUse = true;
      try {
        CodedOutputStream out = CodedOutputStream.newInstance(buffer.bytes, 0, size);
        m.writeTo(out);
        out.checkNoSpaceLeft();
        target.write(buffer.bytes, 0, size);
      } finally {
        buffer.inUse = false;
      }
      return size;
    }

    @Override
    public int available() {
      if (message != null) {
        return size;
      }
      return unread == null ? 0 : unread.available();
    }

    @Override
    public int read() {
      return unread().read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return unread().read(b, off, len);
    }

    private ByteArrayInputStream unread() {
      if (message != null) {
        unread = new ByteArrayInputStream(message.toByteArray());
        message = null;
      } else if (unread == null) {
        unread = new ByteArrayInputStream(new byte[0]);
      }
      return unread;
    }
  }
}
