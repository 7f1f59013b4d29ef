package io.ringkv.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.ringkv.version.Actor;
import io.ringkv.version.Dot;
import io.ringkv.version.MalformedVersionException;
import io.ringkv.version.Sibling;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionVector;
import io.ringkv.version.VersionedObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A received object decodes the same whatever shape of ByteString the message parser made. */
class ProtoBytesTest {

  private static final Actor A = new Actor("n1", 3);
  private static final Actor B = new Actor("n2", 1);
  private static final VersionedObject OBJECT = VersionedObject.of(
      VersionVector.of(List.of(new VersionVector.Entry(A, 7, 1000),
          new VersionVector.Entry(B, 2, 2000))),
      List.of(new Sibling(new Dot(A, 7), "seven".getBytes(StandardCharsets.UTF_8), 1000),
          new Sibling(new Dot(B, 2), "two".getBytes(StandardCharsets.UTF_8), 2000)));
  private static final byte[] ENCODED = VersionCodec.encodeObject(OBJECT);

  @Test
  void flatByteStringDecodesFromItsOwnArray() {
    assertThat(ProtoBytes.decodeObject(ByteString.copyFrom(ENCODED))).isEqualTo(OBJECT);
  }

  @Test
  void aSubstringDecodesOnlyItsOwnRange() {
    byte[] padded = new byte[ENCODED.length + 10];
    padded[0] = 99;
    padded[padded.length - 1] = 99;
    System.arraycopy(ENCODED, 0, padded, 5, ENCODED.length);
    ByteString middle = ByteString.copyFrom(padded).substring(5, 5 + ENCODED.length);
    assertThat(ProtoBytes.decodeObject(middle)).isEqualTo(OBJECT);
  }

  @Test
  void piecesAndBuffersAreCopiedFirst() {
    int half = ENCODED.length / 2;
    ByteString rope = ByteString.copyFrom(ENCODED, 0, half)
        .concat(ByteString.copyFrom(ENCODED, half, ENCODED.length - half));
    assertThat(ProtoBytes.decodeObject(rope)).isEqualTo(OBJECT);
    ByteString direct = UnsafeByteOperations.unsafeWrap(
        ByteBuffer.allocateDirect(ENCODED.length).put(ENCODED).flip());
    assertThat(ProtoBytes.decodeObject(direct)).isEqualTo(OBJECT);
  }

  @Test
  void theDecodedObjectSharesNothingWithTheMessage() {
    byte[] message = ENCODED.clone();
    VersionedObject decoded = ProtoBytes.decodeObject(UnsafeByteOperations.unsafeWrap(message));
    java.util.Arrays.fill(message, (byte) 0);
    assertThat(decoded).isEqualTo(OBJECT);
  }

  @Test
  void malformedBytesAreRefusedAsTheCodecRefusesThem() {
    ByteString truncated = ByteString.copyFrom(ENCODED, 0, ENCODED.length - 2);
    assertThatThrownBy(() -> ProtoBytes.decodeObject(truncated))
        .isInstanceOf(MalformedVersionException.class);
  }
}
