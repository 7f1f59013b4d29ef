package io.ringkv.config;

import java.util.Objects;

/**
 * A network address as written in configuration: {@code host:port}, or {@code [v6addr]:port}.
 * The host is kept as text and never resolved here; resolving is the transport's business and may
 * give a different answer later.
 */
public record HostPort(String host, int port) {

  public HostPort {
    Objects.requireNonNull(host, "host");
    if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("host must be a name or address without spaces, got '" + host + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
    }
  }

  /** Parses {@code host:port} or {@code [v6addr]:port}. */
  public static HostPort parse(String text) {
    return parse(text, text, "host:port");
  }

  /** Parses the address part of {@code whole}, naming {@code whole} and its {@code form} in errors. */
  static HostPort parse(String address, String whole, String form) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("expected " + form + ", got '" + whole + "'");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      // Without brackets "::1:7070" could be read two ways; refuse rather than guess.
      throw new IllegalArgumentException("put an IPv6 host in brackets, like [::1]:7070, got '" + whole + "'");
    }
    String portText = address.substring(colon + 1);
    boolean digits = portText.length() <= 5 && portText.chars().allMatch(c -> c >= '0' && c <= '9');
    int port = digits ? Integer.parseInt(portText) : -1;
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, got '" + portText + "' in '" + whole + "'");
    }
    return new HostPort(host, port);
  }

  /** The text {@link #parse} reads back. */
  public String format() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
