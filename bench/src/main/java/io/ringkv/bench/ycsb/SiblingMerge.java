package io.ringkv.bench.ycsb;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The binding's rule for concurrent versions (siblings) of one YCSB record:
 *
 * <ol>
 *   <li>The resolved record has the <b>union of the siblings' fields</b>: a field that any
 *       sibling has is kept, so concurrent updates of different fields both survive (the common
 *       case in workload A: an update rewrites one field of ten).
 *   <li>A field present in several siblings with <b>different values</b> takes the <b>greatest
 *       value in unsigned lexicographic byte order</b> (a proper prefix is smaller).
 * </ol>
 *
 * <p>Why the greatest value: YCSB values carry no timestamp and ringkv siblings are concurrent by
 * definition, so no choice is "the newest"; any choice drops one of two concurrent writes of the
 * same field. Taking the maximum is deterministic and does not depend on the order the server lists
 * siblings in, and it is commutative, associative and idempotent: every client that resolves the
 * same siblings, in any grouping, writes the same record, so resolution converges instead of
 * producing new conflicts.
 */
public final class SiblingMerge {

  private SiblingMerge() {}

  /** Resolves encoded siblings (one or more) into one field map; see the class comment. */
  public static SortedMap<String, byte[]> resolve(List<byte[]> encodedSiblings) {
    if (encodedSiblings.isEmpty()) {
      throw new IllegalArgumentException("no siblings to resolve");
    }
    if (encodedSiblings.size() == 1) {
      return FieldCodec.decode(encodedSiblings.get(0));
    }
    SortedMap<String, byte[]> merged = new TreeMap<>();
    for (byte[] sibling : encodedSiblings) {
      mergeInto(merged, FieldCodec.decode(sibling));
    }
    return merged;
  }

  /** Merges {@code other} into {@code into} field by field, by the rule above. */
  public static void mergeInto(Map<String, byte[]> into, Map<String, byte[]> other) {
    for (Map.Entry<String, byte[]> e : other.entrySet()) {
      into.merge(e.getKey(), e.getValue(),
          (mine, theirs) -> Arrays.compareUnsigned(mine, theirs) >= 0 ? mine : theirs);
    }
  }
}
