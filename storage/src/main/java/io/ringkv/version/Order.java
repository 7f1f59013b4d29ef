package io.ringkv.version;

/** How two version vectors relate causally. */
public enum Order {
  /** The first happened before the second: the second has seen it. */
  BEFORE,
  /** The first has seen the second. */
  AFTER,
  EQUAL,
  /** Neither has seen the other. */
  CONCURRENT
}
