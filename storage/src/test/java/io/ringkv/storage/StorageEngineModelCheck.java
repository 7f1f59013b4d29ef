package io.ringkv.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.StorageEngine.Durability;
import io.ringkv.storage.StorageEngine.Space;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Drives an engine and a {@link TreeMap} model with the same seeded random operations and checks
 * that every read agrees. Keys are drawn from a tiny alphabet that includes 0x00, 0x7f, 0x80 and
 * 0xff, at lengths 0 to 3, so collisions, prefixes and sign-sensitive orderings are frequent.
 *
 * <p>Rerun a failure with {@code -Dringkv.storage.seed=<seed>}; the seed is printed and is part of
 * every assertion message, together with the index of the failing operation.
 */
final class StorageEngineModelCheck {

  private static final int[] ALPHABET = {0x00, 0x01, 0x7f, 0x80, 0xff};
  private static final Space[] SPACES = Space.values();

  private final long seed;
  private final SplittableRandom random;
  private final Supplier<StorageEngine> current;
  private final Supplier<StorageEngine> reopen;
  private final Map<Space, NavigableMap<byte[], byte[]>> model = new EnumMap<>(Space.class);

  /**
   * @param current the engine under test, read before each operation
   * @param reopen closes and reopens the engine (or returns it unchanged where unsupported)
   */
  StorageEngineModelCheck(
      long seed, Supplier<StorageEngine> current, Supplier<StorageEngine> reopen) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    this.current = current;
    this.reopen = reopen;
    for (Space space : SPACES) {
      model.put(space, new TreeMap<>(Arrays::compareUnsigned));
    }
  }

  void run(int operations) {
    System.out.println("StorageEngineModelCheck seed=" + seed + " (rerun: -Dringkv.storage.seed)");
    for (int op = 0; op < operations; op++) {
      String where = "seed=" + seed + " op=" + op;
      int dice = random.nextInt(100);
      if (dice < 30) {
        write(randomBatch(1));
      } else if (dice < 45) {
        write(randomBatch(1 + random.nextInt(6)));
      } else if (dice < 75) {
        checkGet(where);
      } else if (dice < 99) {
        checkScan(where);
      } else {
        reopen.get();
        checkScan(where + " after reopen");
      }
    }
    for (Space space : SPACES) {
      checkScan(space, null, null, "seed=" + seed + " final");
    }
  }

  private WriteBatch randomBatch(int size) {
    WriteBatch batch = new WriteBatch();
    for (int i = 0; i < size; i++) {
      Space space = randomSpace();
      byte[] key = randomKey();
      if (random.nextInt(4) == 0) {
        batch.delete(space, key);
      } else {
        byte[] value = new byte[random.nextInt(9)];
        random.nextBytes(value);
        batch.put(space, key, value);
      }
    }
    return batch;
  }

  private void write(WriteBatch batch) {
    Durability durability = random.nextInt(10) == 0 ? Durability.SYNC : Durability.BUFFERED;
    current.get().write(batch, durability);
    for (WriteBatch.Mutation m : batch.mutations()) {
      if (m.isDelete()) {
        model.get(m.space()).remove(m.key());
      } else {
        model.get(m.space()).put(m.key().clone(), m.value().clone());
      }
    }
  }

  private void checkGet(String where) {
    Space space = randomSpace();
    byte[] key = randomKey();
    byte[] expected = model.get(space).get(key);
    assertThat(current.get().get(space, key))
        .as("%s get %s %s", where, space, hex(key))
        .isEqualTo(expected);
  }

  private void checkScan(String where) {
    byte[] from = random.nextInt(4) == 0 ? null : randomKey();
    byte[] to = random.nextInt(4) == 0 ? null : randomKey();
    checkScan(randomSpace(), from, to, where);
  }

  private void checkScan(Space space, byte[] from, byte[] to, String where) {
    List<String> expected = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> e : model.get(space).entrySet()) {
      boolean above = from == null || Arrays.compareUnsigned(e.getKey(), from) >= 0;
      boolean below = to == null || Arrays.compareUnsigned(e.getKey(), to) < 0;
      if (above && below) {
        expected.add(hex(e.getKey()) + "=" + hex(e.getValue()));
      }
    }
    List<String> actual = new ArrayList<>();
    try (Cursor cursor = current.get().scan(space, from, to)) {
      cursor.forEachRemaining(e -> actual.add(hex(e.key()) + "=" + hex(e.value())));
    }
    assertThat(actual)
        .as("%s scan %s [%s, %s)", where, space, hex(from), hex(to))
        .containsExactlyElementsOf(expected);
  }

  private Space randomSpace() {
    return SPACES[random.nextInt(SPACES.length)];
  }

  private byte[] randomKey() {
    byte[] key = new byte[random.nextInt(4)];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return key;
  }

  private static String hex(byte[] bytes) {
    return bytes == null ? "open" : "'" + HexFormat.of().formatHex(bytes) + "'";
  }
}
