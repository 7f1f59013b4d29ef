package io.ringkv.client;

import java.util.List;

/**
 * Merges the concurrent versions of one key into one value, in the application's terms (a union of
 * sets, a maximum, the newest by a timestamp inside the value, ...). Used by
 * {@link RingKvClient#update}; called only when there are two or more siblings.
 */
@FunctionalInterface
public interface SiblingResolver {

  /**
   * Returns the merged value; must not return {@code null} and must not modify the arrays.
   *
   * @param siblings two or more concurrent values, unmodifiable
   */
  byte[] resolve(List<byte[]> siblings);

  /**
   * The resolver of a client built without one: it refuses, failing the update with
   * {@link RingKvException.Code#FAILED_PRECONDITION}, so siblings are never dropped silently.
   */
  static SiblingResolver refusing() {
    return siblings -> {
      throw new RingKvException(
          RingKvException.Code.FAILED_PRECONDITION,
          "the key has " + siblings.size() + " siblings and no SiblingResolver was given");
    };
  }
}
