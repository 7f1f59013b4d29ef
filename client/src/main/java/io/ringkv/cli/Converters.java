package io.ringkv.cli;

import io.ringkv.client.Context;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters for the CLI's option types; a bad value is a usage error (exit 2). */
final class Converters {

  private Converters() {}

  /** {@code 500} (milliseconds), {@code 500ms}, {@code 2s}, {@code 1m}, or ISO {@code PT2S}. */
  static final class TimeoutConverter implements ITypeConverter<Duration> {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m)?");

    @Override
    public Duration convert(String value) {
      Duration timeout;
      Matcher m = SIMPLE.matcher(value.strip().toLowerCase(Locale.ROOT));
      try {
        if (m.matches()) {
          long amount = Long.parseLong(m.group(1));
          String unit = m.group(2) == null ? "ms" : m.group(2);
          timeout = switch (unit) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofMillis(amount);
          };
        } else {
          timeout = Duration.parse(value.strip());
        }
      } catch (NumberFormatException | DateTimeParseException e) {
        throw new TypeConversionException("'" + value + "' is not a timeout (e.g. 500, 2s, PT2S)");
      }
      if (timeout.isZero() || timeout.isNegative()) {
        throw new TypeConversionException("timeout must be positive: '" + value + "'");
      }
      return timeout;
    }
  }

  /** A context as printed by {@code get} and {@code put}: URL-safe base64. */
  static final class ContextConverter implements ITypeConverter<Context> {
    @Override
    public Context convert(String value) {
      try {
        return Context.fromBase64(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("'" + value + "' is not a context (base64 expected)");
      }
    }
  }
}
