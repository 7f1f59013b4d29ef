package io.ringkv.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class VersionCodecTest {

  static List<Long> seeds() {
    return VersionLawsTest.seeds().subList(0, 50);
  }

  private static VersionedObject randomObject(SplittableRandom r) {
    VersionedObject o = VersionedObject.EMPTY;
    List<VersionVector> seen = new ArrayList<>(List.of(VersionVector.EMPTY));
    int writes = r.nextInt(12);
    for (int i = 0; i < writes; i++) {
      Actor a = new Actor("node-" + r.nextInt(4), r.nextLong() & Long.MAX_VALUE);
      VersionVector ctx = seen.get(r.nextInt(seen.size()));
      byte[] v = null;
      if (r.nextInt(4) > 0) {
        v = new byte[r.nextInt(64)];
        r.nextBytes(v);
      }
      o = o.write(ctx, o.nextDot(a, ctx, r.nextInt(1000)), v, r.nextLong(1L << 42), 10);
      seen.add(o.context());
    }
    return o;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void objectsAndContextsRoundTrip(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    VersionedObject o = randomObject(r);
    assertThat(VersionCodec.decodeObject(VersionCodec.encodeObject(o)))
        .as("seed %d", seed)
        .isEqualTo(o);
    var ctx = new VersionCodec.ClientContext(o.context(), r.nextBoolean() ? "node-1" : null);
    assertThat(VersionCodec.decodeContext(VersionCodec.encodeContext(ctx)))
        .as("seed %d", seed)
        .isEqualTo(ctx);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void garbageNeverDecodesToAnythingButAnError(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] good = VersionCodec.encodeContext(
        new VersionCodec.ClientContext(randomObject(r).context(), null));
    for (int i = 0; i < 200; i++) {
      byte[] bad = good.clone();
      if (bad.length > 0 && r.nextBoolean()) {
        bad[r.nextInt(bad.length)] ^= (byte) (1 + r.nextInt(255));
      } else {
        bad = new byte[1 + r.nextInt(40)];
        r.nextBytes(bad);
      }
      byte[] input = bad;
      assertThatThrownBy(() -> VersionCodec.decodeContext(input))
          .as("seed %d", seed)
          .isInstanceOf(MalformedVersionException.class);
      // Objects carry no checksum (the engine checksums blocks), but must fail cleanly too.
      try {
        VersionCodec.decodeObject(input);
      } catch (MalformedVersionException expected) {
        // the only acceptable failure
      }
    }
  }

  @Test
  void aTombstoneOfALateActorRoundTrips() {
    // Regression: the sibling's actor index was bounds-checked against the bytes left, as if it
    // were a length, so index 9 followed by fewer than 9 bytes failed to decode.
    VersionedObject o = VersionedObject.EMPTY;
    for (int i = 0; i < 10; i++) {
      Actor a = new Actor("n" + i, 1);
      o = o.write(VersionVector.EMPTY, o.nextDot(a, VersionVector.EMPTY, 0), new byte[0], 1, 10);
    }
    Actor last = new Actor("n9", 1);
    o = o.write(o.context(), o.nextDot(last, o.context(), 0), null, 2, 10);
    assertThat(VersionCodec.decodeObject(VersionCodec.encodeObject(o))).isEqualTo(o);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void anObjectIsEncodedOnceAndEqualObjectsEncodeAlike(long seed) {
    VersionedObject o = randomObject(new SplittableRandom(seed));
    byte[] first = VersionCodec.encodeObject(o);
    assertThat(VersionCodec.encodeObject(o)).as("seed %d", seed).isSameAs(first);
    VersionedObject twin = VersionCodec.decodeObject(first.clone());
    assertThat(VersionCodec.encodeObject(twin)).as("seed %d", seed)
        .isNotSameAs(first).isEqualTo(first);
  }

  @Test
  void nodeIdsBeyondAsciiRoundTrip() {
    VersionedObject o = VersionedObject.EMPTY;
    for (String node : List.of("n\u00fc1", "\u8282\u70b9", "plain")) {
      Actor a = new Actor(node, 2);
      o = o.write(o.context(), o.nextDot(a, o.context(), 0), node.getBytes(StandardCharsets.UTF_8),
          5, 10);
    }
    assertThat(VersionCodec.decodeObject(VersionCodec.encodeObject(o))).isEqualTo(o);
    var ctx = new VersionCodec.ClientContext(o.context(), "\u8282\u70b9");
    assertThat(VersionCodec.decodeContext(VersionCodec.encodeContext(ctx))).isEqualTo(ctx);
  }

  @Test
  void emptyContextIsTheBlindWrite() {
    assertThat(VersionCodec.decodeContext(new byte[0]))
        .isEqualTo(VersionCodec.ClientContext.EMPTY);
  }

  @Test
  void aContextFromElsewhereIsRejectedWithAReason() {
    assertThatThrownBy(
            () -> VersionCodec.decodeContext("hello world".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedVersionException.class)
        .hasMessageContaining("checksum");
  }
}
