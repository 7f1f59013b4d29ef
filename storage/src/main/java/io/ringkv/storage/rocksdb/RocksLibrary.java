package io.ringkv.storage.rocksdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

/**
 * Loads RocksDB's native library without leaving a copy of it behind.
 *
 * <p>RocksDB's own loader copies the 16 MiB library out of its jar into a new temporary file at
 * every start and deletes it only when the JVM exits normally. A node stopped with SIGKILL (an
 * operator's {@code kill -9}, the kernel's OOM killer, ringkv's crash tests) leaves its copy in
 * the temporary directory for good: one CI run of this repository left 25 of them (400 MiB), and
 * a machine that had run it for a day held 7 GB. Here the copy is deleted as soon as it is
 * loaded, as Netty does with its own native libraries: on Linux and macOS a loaded library stays
 * mapped after its file is unlinked, so only a kill during the few milliseconds between the copy
 * and the load can leave one behind.
 */
final class RocksLibrary {

  private RocksLibrary() {}

  private static boolean loaded; // guarded by RocksLibrary.class

  static synchronized void load() {
    if (loaded) {
      return;
    }
    URL library = bundled();
    if (library == null || Environment.isWindows()) {
      // Not in the jar for this platform (RocksDB then looks on java.library.path), or Windows,
      // which cannot delete a loaded library: RocksDB's own loader does what it can.
      RocksDB.loadLibrary();
    } else {
      loadCopyOf(library);
    }
    loaded = true;
  }

  /** The library RocksDB's own loader would copy out of its jar, or null. */
  private static URL bundled() {
    ClassLoader loader = RocksDB.class.getClassLoader();
    URL library = loader.getResource(Environment.getJniLibraryFileName("rocksdb"));
    return library != null
        ? library
        : loader.getResource(Environment.getFallbackJniLibraryFileName("rocksdb"));
  }

  private static void loadCopyOf(URL library) {
    Path dir = null;
    Path copy = null;
    try {
      // A directory of our own (mode 0700) with the one file name that RocksDB.loadLibrary(paths)
      // looks for in each directory it is given.
      dir = Files.createTempDirectory("ringkv-rocksdbjni-");
      copy = dir.resolve(Environment.getJniLibraryFileName("rocksdbjni"));
      try (InputStream in = library.openStream()) {
        Files.copy(in, copy);
      }
      RocksDB.loadLibrary(List.of(dir.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy RocksDB's native library out of " + library, e);
    } finally {
      deleteQuietly(copy);
      deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path path) {
    if (path == null) {
      return;
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // Only disk space is lost, as with RocksDB's own loader; the library is loaded or the load
      // failed with its own error.
    }
  }
}
