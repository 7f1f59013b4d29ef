package io.ringkv.config;

import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The raw value of every dotted key, each layer (defaults, file, command line) replacing the one
 * before, with where it came from. Typed reads turn a raw value into a Java value or into a {@link
 * ConfigException} naming the key and its source. YAML values must already have the right type
 * ({@code port: "7070"} is a string); command-line values are text, parsed per key.
 */
final class Settings {

  private record Entry(Object value, String source, int layer, boolean text) {}

  private final Map<String, Entry> entries = new HashMap<>();

  /** Sets {@code key}; a higher {@code layer} wins when naming the source of a cross-key error. */
  void put(String key, Object value, String source, int layer, boolean text) {
    entries.put(key, new Entry(value, source, layer, text));
  }

  /** The source of whichever of the error's keys was set in the highest layer. */
  String sourceFor(ConfigException e, String fallback) {
    Entry best = entries.get(e.key());
    for (String key : e.relatedKeys()) {
      Entry other = entries.get(key);
      if (other != null && (best == null || other.layer > best.layer)) {
        best = other;
      }
    }
    return best == null ? fallback : best.source;
  }

  String string(String key) {
    Object value = get(key).value;
    if (value instanceof String s) {
      return s;
    }
    String hint = value instanceof List || value instanceof Map ? "" : " (put it in quotes)";
    throw wrongType(key, "a string", value, hint);
  }

  int integer(String key) {
    Entry entry = get(key);
    if (entry.value instanceof Integer i) {
      return i;
    }
    if (entry.text && entry.value instanceof String s) {
      try {
        return Integer.parseInt(s.strip());
      } catch (NumberFormatException e) {
        // reported below like any other wrong value
      }
    }
    boolean tooBig = entry.value instanceof Long || entry.value instanceof BigInteger;
    throw wrongType(key, "an integer", entry.value, tooBig ? " (too large)" : "");
  }

  boolean bool(String key) {
    Entry entry = get(key);
    if (entry.value instanceof Boolean b) {
      return b;
    }
    if (entry.text && entry.value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    throw wrongType(key, "true or false", entry.value, "");
  }

  Path path(String key) {
    String text = string(key);
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw invalid(key, "not a valid path: " + e.getMessage());
    }
  }

  /** One of {@code type}'s constants, written in lower case. */
  <E extends Enum<E>> E choice(String key, Class<E> type) {
    String text = string(key);
    for (E constant : type.getEnumConstants()) {
      if (constant.name().toLowerCase(Locale.ROOT).equals(text)) {
        return constant;
      }
    }
    List<String> names = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
    throw invalid(key, "expected one of " + String.join(", ", names) + ", got '" + text + "'");
  }

  /** A YAML list of strings, or comma-separated text on the command line; each item parsed. */
  <T> List<T> list(String key, Function<String, T> parser) {
    Entry entry = get(key);
    List<?> items;
    if (entry.text && entry.value instanceof String s) {
      items = Arrays.stream(s.split(",")).map(String::strip).filter(item -> !item.isEmpty()).toList();
    } else if (entry.value instanceof List<?> list) {
      items = list;
    } else {
      throw wrongType(key, "a list", entry.value, "");
    }
    List<T> parsed = new ArrayList<>();
    for (Object item : items) {
      if (!(item instanceof String s)) {
        throw wrongType(key, "a list of strings", item, " in the list");
      }
      try {
        parsed.add(parser.apply(s));
      } catch (IllegalArgumentException e) {
        throw invalid(key, e.getMessage());
      }
    }
    return parsed;
  }

  private Entry get(String key) {
    Entry entry = entries.get(key);
    if (entry.value == null) {
      throw invalid(key, "has no value; give one, or remove the key to use the default");
    }
    return entry;
  }

  private ConfigException invalid(String key, String problem) {
    return ConfigException.invalid(key, entries.get(key).source, problem);
  }

  private ConfigException wrongType(String key, String expected, Object value, String hint) {
    return invalid(key, "expected " + expected + ", got " + describe(value) + hint);
  }

  static String describe(Object value) {
    if (value instanceof String s) {
      return "'" + s + "'";
    }
    if (value instanceof List) {
      return "a list";
    }
    if (value instanceof Map) {
      return "a section";
    }
    return value == null ? "nothing" : String.valueOf(value);
  }
}
