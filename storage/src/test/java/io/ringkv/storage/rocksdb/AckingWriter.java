package io.ringkv.storage.rocksdb;

import io.ringkv.storage.StorageEngine.Durability;
import io.ringkv.storage.StorageEngine.Space;
import io.ringkv.storage.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child process of the kill test: writes keys 0..n-1 with {@link Durability#BUFFERED} and
 * prints {@code acked <i>} only after the write of key i has returned, so every printed ack is a
 * promise the engine made. The parent kills it with SIGKILL mid-stream; it never closes.
 *
 * <p>Usage: {@code AckingWriter <dir> <n>}
 */
public final class AckingWriter {

  private AckingWriter() {}

  static byte[] key(int i) {
    return String.format("key-%08d", i).getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] value(int i) {
    return ("value-" + i + "-" + "x".repeat(i % 50)).getBytes(StandardCharsets.US_ASCII);
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    // Optional: the memtable size (small: the WAL switches files every few hundred writes).
    long writeBufferBytes = args.length > 2 ? Long.parseLong(args[2]) : 0;
    RocksDbStorageEngine engine = RocksDbStorageEngine.open(dir, writeBufferBytes);
    System.out.println("opened");
    System.out.flush();
    for (int i = 0; i < n; i++) {
      engine.write(new WriteBatch().put(Space.DATA, key(i), value(i)), Durability.BUFFERED);
      System.out.println("acked " + i);
      System.out.flush();
    }
    System.out.println("done"); // only if the parent never kills us: the test then fails
    System.out.flush();
  }
}
