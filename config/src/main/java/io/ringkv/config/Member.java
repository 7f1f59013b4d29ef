package io.ringkv.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One node of the static membership, written {@code nodeId@host:port}. Port 0 is structurally
 * allowed because a single-node test cluster binds an ephemeral port (see {@link
 * NodeConfig#clusterMembers()}); configured members must name a real port.
 */
public record Member(String nodeId, String host, int port) {

  static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public Member {
    Objects.requireNonNull(nodeId, "nodeId");
    if (!NODE_ID.matcher(nodeId).matches()) {
      throw new IllegalArgumentException("node id must match " + NODE_ID + ", got '" + nodeId + "'");
    }
    new HostPort(host, port); // the same host and port rules as everywhere else
  }

  /** Parses {@code nodeId@host:port} (an IPv6 host in brackets). */
  public static Member parse(String text) {
    int at = text.indexOf('@');
    if (at < 0) {
      throw new IllegalArgumentException("expected nodeId@host:port, got '" + text + "'");
    }
    HostPort address = HostPort.parse(text.substring(at + 1), text, "nodeId@host:port");
    return new Member(text.substring(0, at), address.host(), address.port());
  }

  public HostPort address() {
    return new HostPort(host, port);
  }

  /** The text {@link #parse} reads back. */
  public String format() {
    return nodeId + "@" + address().format();
  }
}
