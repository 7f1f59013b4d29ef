package io.ringkv.cli;

import java.util.List;

/**
 * The CLI's JSON output: one flat object per command, written by hand (strings, booleans and
 * arrays of strings are all it needs). Escapes as RFC 8259 requires.
 */
final class Json {

  private final StringBuilder out = new StringBuilder("{");

  static Json object() {
    return new Json();
  }

  Json field(String name, String value) {
    return name(name).quote(value);
  }

  Json field(String name, long value) {
    name(name).out.append(value);
    return this;
  }

  /** A field whose value is already JSON (a nested object or array). */
  Json raw(String name, String json) {
    name(name).out.append(json);
    return this;
  }

  Json field(String name, boolean value) {
    name(name).out.append(value);
    return this;
  }

  Json field(String name, List<String> values) {
    name(name).out.append('[');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      quote(values.get(i));
    }
    out.append(']');
    return this;
  }

  Json field(String name, double value) {
    name(name).out.append(Double.isFinite(value) ? Double.toString(value) : "null");
    return this;
  }

  /** A JSON array of already-encoded elements. */
  static String array(List<String> elements) {
    return "[" + String.join(",", elements) + "]";
  }

  /** The finished object, one line. */
  String end() {
    return out + "}";
  }

  private Json name(String name) {
    if (out.length() > 1) {
      out.append(',');
    }
    return quote(name).colon();
  }

  private Json colon() {
    out.append(':');
    return this;
  }

  private Json quote(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
    return this;
  }
}
