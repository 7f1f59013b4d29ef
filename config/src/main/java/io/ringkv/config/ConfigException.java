package io.ringkv.config;

import java.util.List;

/**
 * A configuration a node must not start with. The message is one line a person can act on:
 * {@code config error in <source>: <key>: <problem>}.
 */
public final class ConfigException extends RuntimeException {

  private final String key;
  private final String source;
  private final String detail;
  // Other keys the broken rule reads (r <= n reads n); the loader names the source of whichever
  // of them was set last, since that is where the person most likely made the change.
  private final List<String> relatedKeys;

  ConfigException(String key, String source, String detail, List<String> relatedKeys, Throwable cause) {
    super(message(source, detail), cause);
    this.key = key;
    this.source = source;
    this.detail = detail;
    this.relatedKeys = List.copyOf(relatedKeys);
  }

  /** A value breaks a rule; {@code problem} follows "{key}: " in the message. */
  static ConfigException invalid(String key, String source, String problem, String... relatedKeys) {
    return new ConfigException(key, source, key + ": " + problem, List.of(relatedKeys), null);
  }

  /** The dotted key at fault, or null when the problem is the file as a whole. */
  public String key() {
    return key;
  }

  /**
   * Where the bad value came from: a file path as given, {@link ConfigLoader#COMMAND_LINE}, or
   * {@link ConfigLoader#DEFAULTS}. Null only when a {@link NodeConfig} was built directly in code.
   */
  public String source() {
    return source;
  }

  List<String> relatedKeys() {
    return relatedKeys;
  }

  ConfigException withSource(String newSource) {
    ConfigException copy = new ConfigException(key, newSource, detail, relatedKeys, getCause());
    copy.setStackTrace(getStackTrace()); // keep pointing at the rule that failed
    return copy;
  }

  private static String message(String source, String detail) {
    return source == null ? "config error: " + detail : "config error in " + source + ": " + detail;
  }
}
