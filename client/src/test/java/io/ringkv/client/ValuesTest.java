package io.ringkv.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValuesTest {

  @Test
  void contextRoundTripsThroughUrlSafeBase64() {
    Context context = Context.of(new byte[] {(byte) 0xfb, (byte) 0xff, 0x01});
    String base64 = context.toBase64();
    assertThat(base64).doesNotContain("+", "/", "=");
    assertThat(Context.fromBase64(base64)).isEqualTo(context).hasSameHashCodeAs(context);
    assertThat(Context.fromBase64("+/8B")).isEqualTo(context);
    assertThat(Context.fromBase64("-_8B")).isEqualTo(context);
    assertThat(Context.fromBase64("AQ==")).isEqualTo(Context.of(new byte[] {1}));
  }

  @Test
  void theEmptyContext() {
    assertThat(Context.EMPTY.toBase64()).isEmpty();
    assertThat(Context.fromBase64("")).isSameAs(Context.EMPTY);
    assertThat(Context.of(new byte[0])).isSameAs(Context.EMPTY);
    assertThat(Context.EMPTY.isEmpty()).isTrue();
  }

  @Test
  void contextIsImmutable() {
    byte[] bytes = {1, 2};
    Context context = Context.of(bytes);
    bytes[0] = 9;
    context.toBytes()[1] = 9;
    assertThat(context.toBytes()).containsExactly(1, 2);
  }

  @Test
  void badBase64IsRejected() {
    assertThatThrownBy(() -> Context.fromBase64("not base64!"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void getResultCopiesAndComparesByContent() {
    byte[] value = "a".getBytes(UTF_8);
    List<byte[]> values = new ArrayList<>(List.of(value));
    GetResult result = new GetResult(values, Context.of(new byte[] {1}));
    value[0] = 'z';
    values.add("b".getBytes(UTF_8));

    assertThat(result.stringValues()).containsExactly("a");
    assertThatThrownBy(() -> result.values().add(new byte[0]))
        .isInstanceOf(UnsupportedOperationException.class);
    GetResult same = new GetResult(List.of("a".getBytes(UTF_8)), Context.of(new byte[] {1}));
    assertThat(result).isEqualTo(same).hasSameHashCodeAs(same);
    assertThat(result.found()).isTrue();
    assertThat(result.hasSiblings()).isFalse();
  }
}
