package io.ringkv.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class JsonTest {

  @Test
  void escapesWhatJsonRequires() {
    String json = Json.object()
        .field("s", "q\" b\\ n\n r\r t\t \u0001 \u2028 é ☃")
        .field("b", false)
        .field("a", List.of("x", "\"y\""))
        .end();
    assertThat(json).isEqualTo(
        "{\"s\":\"q\\\" b\\\\ n\\n r\\r t\\t \\u0001 \\u2028 é ☃\",\"b\":false,"
            + "\"a\":[\"x\",\"\\\"y\\\"\"]}");
  }

  @Test
  void anEmptyObject() {
    assertThat(Json.object().field("a", List.of()).end()).isEqualTo("{\"a\":[]}");
  }

  @Test
  void timeoutsInMillisecondsOrDurations() {
    Converters.TimeoutConverter converter = new Converters.TimeoutConverter();
    assertThat(converter.convert("500")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(converter.convert("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(converter.convert("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    assertThatThrownBy(() -> converter.convert("-1")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> converter.convert("PT0S")).isInstanceOf(TypeConversionException.class);
  }
}
