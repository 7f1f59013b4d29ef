package io.ringkv.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemberTest {

  @Test
  void parsesAndFormats() {
    Member member = Member.parse("node-2.a_b@db2.example.com:7070");

    assertThat(member).isEqualTo(new Member("node-2.a_b", "db2.example.com", 7070));
    assertThat(member.format()).isEqualTo("node-2.a_b@db2.example.com:7070");
    assertThat(member.address()).isEqualTo(new HostPort("db2.example.com", 7070));
  }

  @Test
  void ipv6HostsAreBracketed() {
    Member member = Member.parse("n1@[::1]:7070");

    assertThat(member.host()).isEqualTo("::1");
    assertThat(member.format()).isEqualTo("n1@[::1]:7070");
    assertThat(HostPort.parse("[fe80::1]:80")).isEqualTo(new HostPort("fe80::1", 80));
    assertThatThrownBy(() -> HostPort.parse("::1:7070")).hasMessageContaining("put an IPv6 host in brackets");
  }

  @Test
  void rejectsMalformedText() {
    assertThatThrownBy(() -> Member.parse("db2:7070"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected nodeId@host:port, got 'db2:7070'");
    assertThatThrownBy(() -> Member.parse("n1@db2")).hasMessage("expected nodeId@host:port, got 'n1@db2'");
    assertThatThrownBy(() -> Member.parse("n1@:7070")).hasMessage("expected nodeId@host:port, got 'n1@:7070'");
    assertThatThrownBy(() -> Member.parse("n1@db2:70000"))
        .hasMessage("port must be between 0 and 65535, got '70000' in 'n1@db2:70000'");
    assertThatThrownBy(() -> Member.parse("n1@db2:x")).hasMessageContaining("port must be between 0 and 65535");
    assertThatThrownBy(() -> Member.parse("@db2:1")).hasMessage("node id must match [A-Za-z0-9._-]{1,64}, got ''");
    assertThatThrownBy(() -> Member.parse("n/1@db2:1")).hasMessageContaining("node id must match");
    assertThatThrownBy(() -> Member.parse("n1@d b:1")).hasMessageContaining("host must be a name or address without spaces");
  }
}
