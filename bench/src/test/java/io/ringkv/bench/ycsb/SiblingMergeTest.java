package io.ringkv.bench.ycsb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SiblingMergeTest {

  private static byte[] record(String... nameValue) {
    Map<String, byte[]> m = new TreeMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      m.put(nameValue[i], nameValue[i + 1].getBytes(UTF_8));
    }
    return FieldCodec.encode(m);
  }

  private static Map<String, String> strings(SortedMap<String, byte[]> m) {
    Map<String, String> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, new String(v, UTF_8)));
    return out;
  }

  @Test
  void oneSiblingIsTheRecord() {
    assertThat(strings(SiblingMerge.resolve(List.of(record("a", "1", "b", "2")))))
        .isEqualTo(Map.of("a", "1", "b", "2"));
  }

  @Test
  void concurrentUpdatesOfDifferentFieldsBothSurvive() {
    // Two updates from the same base, each changing one field: the union keeps both changes.
    byte[] left = record("f0", "base", "f1", "left", "f2", "base");
    byte[] right = record("f0", "base", "f1", "base", "f2", "right");
    assertThat(strings(SiblingMerge.resolve(List.of(left, right))))
        .isEqualTo(Map.of("f0", "base", "f1", "left", "f2", "right"));
  }

  @Test
  void fieldsOnlyOneSiblingHasAreKept() {
    assertThat(strings(SiblingMerge.resolve(List.of(record("a", "1"), record("b", "2")))))
        .isEqualTo(Map.of("a", "1", "b", "2"));
  }

  @Test
  void aConflictingFieldTakesTheGreatestValueInUnsignedByteOrder() {
    assertThat(strings(SiblingMerge.resolve(List.of(record("f", "abc"), record("f", "abd")))))
        .containsEntry("f", "abd");
    assertThat(strings(SiblingMerge.resolve(List.of(record("f", "ab"), record("f", "abc")))))
        .containsEntry("f", "abc"); // a proper prefix is smaller
    // Unsigned: 0xC3 (the first byte of "é") is greater than 'z'; as a signed byte it is not.
    assertThat(strings(SiblingMerge.resolve(List.of(record("f", "é"), record("f", "z")))))
        .containsEntry("f", "é");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void theResultDoesNotDependOnSiblingOrderOrGrouping(long seed) {
    Random random = new Random(seed);
    List<byte[]> siblings = new ArrayList<>();
    for (int s = 2 + random.nextInt(4); s > 0; s--) {
      Map<String, byte[]> fields = new TreeMap<>();
      for (int f = random.nextInt(6); f >= 0; f--) {
        byte[] v = new byte[random.nextInt(4)];
        random.nextBytes(v);
        fields.put("field" + random.nextInt(5), v);
      }
      siblings.add(FieldCodec.encode(fields));
    }
    byte[] expected = FieldCodec.encode(SiblingMerge.resolve(siblings));
    for (int trial = 0; trial < 20; trial++) {
      List<byte[]> shuffled = new ArrayList<>(siblings);
      Collections.shuffle(shuffled, random);
      assertThat(FieldCodec.encode(SiblingMerge.resolve(shuffled))).isEqualTo(expected);
      // Resolving a prefix first and then the rest (another client resolved part of them) agrees.
      int cut = 1 + random.nextInt(shuffled.size() - 1);
      byte[] partial = FieldCodec.encode(SiblingMerge.resolve(shuffled.subList(0, cut)));
      List<byte[]> rest = new ArrayList<>(shuffled.subList(cut, shuffled.size()));
      rest.add(partial);
      assertThat(FieldCodec.encode(SiblingMerge.resolve(rest))).isEqualTo(expected);
      // Idempotent: a sibling repeated changes nothing.
      List<byte[]> doubled = new ArrayList<>(shuffled);
      doubled.add(shuffled.get(0));
      assertThat(FieldCodec.encode(SiblingMerge.resolve(doubled))).isEqualTo(expected);
    }
  }

  @Test
  void nothingToResolveIsAnError() {
    assertThatThrownBy(() -> SiblingMerge.resolve(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
