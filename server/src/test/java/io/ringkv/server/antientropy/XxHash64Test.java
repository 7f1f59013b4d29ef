package io.ringkv.server.antientropy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The published XXH64 test vectors (seed 0), covering the short and the 32-byte-stripe paths. */
class XxHash64Test {

  private static long h(String s) {
    return XxHash64.hash(s.getBytes(StandardCharsets.UTF_8), 0);
  }

  @Test
  void matchesTheReferenceImplementation() {
    assertThat(h("")).isEqualTo(0xEF46DB3751D8E999L);
    assertThat(h("a")).isEqualTo(0xD24EC4F1A98C6E5BL);
    assertThat(h("abc")).isEqualTo(0x44BC2CF5AD770999L);
    assertThat(h("Nobody inspects the spammish repetition")).isEqualTo(0xFBCEA83C8A378BF1L);
  }

  @Test
  void offsetAndSeedAreHonoured() {
    byte[] padded = "xxabcxx".getBytes(StandardCharsets.UTF_8);
    assertThat(XxHash64.hash(padded, 2, 3, 0)).isEqualTo(h("abc"));
    assertThat(XxHash64.hash("abc".getBytes(StandardCharsets.UTF_8), 1)).isNotEqualTo(h("abc"));
  }
}
