package io.ringkv.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.internal.v1.ReplicaGrpc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ThreadBufferMarshallingTest {

  private static final MethodDescriptor<PutRequest, PutRequest> PUT =
      ThreadBufferMarshalling.of(MethodDescriptor.<PutRequest, PutRequest>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test/Put")
          .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
              PutRequest.getDefaultInstance()))
          .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
              PutRequest.getDefaultInstance()))
          .build());

  @Test
  void aDrainedMessageIsProtobufsOwnEncodingAndParsesBack() throws IOException {
    for (int valueBytes : new int[] {0, 1, 1024, ThreadBufferMarshalling.BUFFER_BYTES,
        ThreadBufferMarshalling.BUFFER_BYTES * 3}) {
      PutRequest message = put(valueBytes);
      InputStream stream = PUT.streamRequest(message);
      assertThat(stream.available()).as("known length").isEqualTo(message.getSerializedSize());
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      int written = ((io.grpc.Drainable) stream).drainTo(frame);

      assertThat(written).isEqualTo(message.getSerializedSize());
      assertThat(frame.toByteArray()).as("value of %d bytes", valueBytes)
          .isEqualTo(message.toByteArray());
      assertThat(PUT.parseRequest(new java.io.ByteArrayInputStream(frame.toByteArray())))
          .isEqualTo(message);
      assertThat(stream.available()).isZero();
    }
  }

  @Test
  void aMessageReadAsBytesInsteadOfDrainedIsTheSame() throws IOException {
    PutRequest message = put(3000);
    assertThat(PUT.streamRequest(message).readAllBytes()).isEqualTo(message.toByteArray());
  }

  /**
   * A send that starts inside another on the same thread (a frame write that runs a listener
   * which sends) must not encode into the buffer the outer send is still copying from.
   */
  @Test
  void aSendNestedInAnotherOnTheSameThreadLeavesTheOuterMessageIntact() throws IOException {
    PutRequest outer = put(2000);
    PutRequest inner = put(1500);
    ByteArrayOutputStream innerFrame = new ByteArrayOutputStream();
    ByteArrayOutputStream outerFrame = new ByteArrayOutputStream() {
      @Override
      public synchronized void write(byte[] b, int off, int len) {
        try {
          ((io.grpc.Drainable) PUT.streamRequest(inner)).drainTo(innerFrame);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        super.write(b, off, len); // copies the outer bytes only after the nested send
      }
    };
    ((io.grpc.Drainable) PUT.streamRequest(outer)).drainTo(outerFrame);

    assertThat(outerFrame.toByteArray()).isEqualTo(outer.toByteArray());
    assertThat(innerFrame.toByteArray()).isEqualTo(inner.toByteArray());
  }

  @Test
  void aServiceKeepsItsMethodsAndHandlersWithTheNewMarshallers() {
    ServerServiceDefinition plain = new ReplicaGrpc.ReplicaImplBase() {}.bindService();
    ServerServiceDefinition changed = ThreadBufferMarshalling.of(plain);

    assertThat(changed.getServiceDescriptor().getName())
        .isEqualTo(plain.getServiceDescriptor().getName());
    assertThat(changed.getMethods()).extracting(m -> m.getMethodDescriptor().getFullMethodName())
        .containsExactlyInAnyOrderElementsOf(plain.getMethods().stream()
            .map(m -> m.getMethodDescriptor().getFullMethodName()).toList());
    for (ServerMethodDefinition<?, ?> m : changed.getMethods()) {
      assertThat(m.getServerCallHandler()).isSameAs(
          plain.getMethod(m.getMethodDescriptor().getFullMethodName()).getServerCallHandler());
      assertThat(m.getMethodDescriptor().getResponseMarshaller().getClass().getName())
          .contains("ThreadBufferMarshalling");
    }
  }

  private static PutRequest put(int valueBytes) {
    byte[] value = new byte[valueBytes];
    new Random(valueBytes).nextBytes(value);
    return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("key"))
        .setValue(ByteString.copyFrom(value)).setW(2).build();
  }
}
