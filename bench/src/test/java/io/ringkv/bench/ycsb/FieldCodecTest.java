package io.ringkv.bench.ycsb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FieldCodecTest {

  static Map<String, byte[]> ycsbRecord(Random random) {
    Map<String, byte[]> fields = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      byte[] value = new byte[100];
      random.nextBytes(value);
      fields.put("field" + i, value);
    }
    return fields;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42, 1234567})
  void roundTripsRandomRecords(long seed) {
    Random random = new Random(seed);
    Map<String, byte[]> fields = new HashMap<>();
    int count = random.nextInt(20);
    for (int i = 0; i < count; i++) {
      byte[] value = new byte[random.nextInt(300)]; // lengths over 127 need two varint bytes
      random.nextBytes(value);
      fields.put("f" + random.nextInt(1000) + "é", value);
    }
    SortedMap<String, byte[]> decoded = FieldCodec.decode(FieldCodec.encode(fields));
    assertThat(decoded.keySet()).isEqualTo(fields.keySet());
    fields.forEach((name, value) -> assertThat(decoded.get(name)).isEqualTo(value));
  }

  @Test
  void aYcsbRecordIsCompact() {
    // 10 fields "field0".."field9" of 100 bytes: 1 + 1 + 10 * (1 + 6 + 1 + 100) bytes.
    assertThat(FieldCodec.encode(ycsbRecord(new Random(1)))).hasSize(1082);
  }

  @Test
  void encodingDoesNotDependOnMapOrder() {
    Map<String, byte[]> a = new LinkedHashMap<>();
    a.put("b", "2".getBytes(UTF_8));
    a.put("a", "1".getBytes(UTF_8));
    Map<String, byte[]> b = new LinkedHashMap<>();
    b.put("a", "1".getBytes(UTF_8));
    b.put("b", "2".getBytes(UTF_8));
    assertThat(FieldCodec.encode(a)).isEqualTo(FieldCodec.encode(b));
  }

  @Test
  void decodesOnlyTheWantedFields() {
    byte[] record = FieldCodec.encode(ycsbRecord(new Random(7)));
    assertThat(FieldCodec.decode(record, Set.of("field3", "field7", "nope")).keySet())
        .containsExactly("field3", "field7");
    assertThat(FieldCodec.decode(record, Set.of())).isEmpty();
  }

  @Test
  void emptyRecordAndEmptyValues() {
    assertThat(FieldCodec.decode(FieldCodec.encode(Map.of()))).isEmpty();
    assertThat(FieldCodec.decode(FieldCodec.encode(Map.of("x", new byte[0]))).get("x")).isEmpty();
  }

  @Test
  void rejectsWhatItDidNotWrite() {
    byte[] good = FieldCodec.encode(ycsbRecord(new Random(3)));
    assertThatThrownBy(() -> FieldCodec.decode("hello".getBytes(UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format byte");
    assertThatThrownBy(() -> FieldCodec.decode(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    assertThatThrownBy(() -> FieldCodec.decode(Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("past the end");
    assertThatThrownBy(() -> FieldCodec.decode(Arrays.copyOf(good, good.length + 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trailing");
    // A huge length must be refused before anything is allocated.
    assertThatThrownBy(() -> FieldCodec.decode(new byte[] {1, 1, (byte) 0xFF, (byte) 0xFF,
        (byte) 0xFF, (byte) 0xFF, 0x07}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("past the end");
    // Repeated names would make two encodings of one record.
    byte[] repeated = {1, 2, 1, 'a', 1, 'x', 1, 'a', 1, 'y'};
    assertThatThrownBy(() -> FieldCodec.decode(repeated))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("repeated");
  }

  @ParameterizedTest
  @ValueSource(longs = {5, 6, 7, 8, 9, 10, 11, 12})
  void randomCorruptionNeverEscapesAsAnotherException(long seed) {
    Random random = new Random(seed);
    byte[] record = FieldCodec.encode(ycsbRecord(random));
    for (int trial = 0; trial < 500; trial++) {
      byte[] bad = record.clone();
      for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
        bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
      }
      try {
        FieldCodec.decode(bad);
      } catch (IllegalArgumentException expected) {
        // a flip inside a value decodes fine; one in the framing is reported
      }
    }
  }
}
