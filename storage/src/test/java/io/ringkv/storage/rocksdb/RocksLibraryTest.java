package io.ringkv.storage.rocksdb;

import static io.ringkv.storage.TestBytes.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.StorageEngine.Durability;
import io.ringkv.storage.StorageEngine.Space;
import io.ringkv.storage.WriteBatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node killed with SIGKILL leaves nothing of RocksDB's native library in the temporary
 * directory. Needs a process of its own: the library loads once per JVM, and only a kill shows
 * whether the copy outlives the process (a normal exit deletes it either way).
 */
class RocksLibraryTest {

  @TempDir Path dir;

  @Test
  void aNodeKilledWithSigkillLeavesNoCopyOfTheLibraryInTheTemporaryDirectory() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path data = dir.resolve("db");
    Process node = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Djava.io.tmpdir=" + tmp,
            "-cp", System.getProperty("java.class.path"),
            Opener.class.getName(), data.toString())
        .redirectErrorStream(true)
        .start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
      // The child writes a key, syncs it and says so: the library is loaded and in use.
      List<String> said = new ArrayList<>();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        said.add(line);
        if (line.equals(Opener.READY)) {
          break;
        }
      }
      assertThat(said).as("what the child process printed").endsWith(Opener.READY);
      node.destroyForcibly();
      assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      node.destroyForcibly();
    }

    try (Stream<Path> left = Files.walk(tmp)) {
      assertThat(left.filter(p -> !p.equals(tmp)).toList())
          .as("files left in the node's java.io.tmpdir after SIGKILL")
          .isEmpty();
    }
    // And what the node wrote before the kill is there: the library did work.
    try (StorageEngine engine = RocksDbStorageEngine.open(data)) {
      assertThat(engine.get(Space.DATA, b(1))).isEqualTo(b(7));
    }
  }

  /** The child process: opens an engine, writes one key durably, then waits to be killed. */
  public static final class Opener {
    static final String READY = "written";

    public static void main(String[] args) throws IOException {
      StorageEngine engine = RocksDbStorageEngine.open(Path.of(args[0]));
      engine.write(new WriteBatch().put(Space.DATA, b(1), b(7)), Durability.SYNC);
      System.out.println(READY);
      System.out.flush();
      System.in.read(); // until killed (or the test's JVM goes away and closes the pipe)
    }
  }
}
