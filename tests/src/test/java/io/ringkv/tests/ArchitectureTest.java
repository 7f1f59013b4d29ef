package io.ringkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the seams honest at build time: protocol code reaches time, threads, randomness, the
 * network and the disk only through the injected interfaces, or the simulator could not run it
 * deterministically. An abstraction without a build-time ban does not hold.
 */
class ArchitectureTest {

  /** Packages whose code must run unchanged in the deterministic simulator. */
  private static final List<String> PROTOCOL = List.of(
      "ring/src/main/java/io/ringkv/ring",
      "storage/src/main/java/io/ringkv/version",
      "server/src/main/java/io/ringkv/server/coordinator",
      "server/src/main/java/io/ringkv/server/replica",
      "server/src/main/java/io/ringkv/server/liveness",
      "server/src/main/java/io/ringkv/server/handoff",
      "server/src/main/java/io/ringkv/server/antientropy",
      "server/src/main/java/io/ringkv/server/transfer",
      "gossip/src/main/java");

  private record Ban(Pattern pattern, String why) {}

  private static final List<Ban> PROTOCOL_BANS = List.of(
      ban("System\\.currentTimeMillis|System\\.nanoTime|Instant\\.now|LocalDateTime\\.now",
          "read time through io.ringkv.env.Clock"),
      ban("Thread\\.sleep|new Thread\\(|Executors\\.", "defer work through io.ringkv.env.Scheduler"),
      ban("new Random\\(|ThreadLocalRandom|Math\\.random|UUID\\.randomUUID|SecureRandom",
          "take a seeded RandomGenerator from the owner"),
      ban("parallelStream\\(", "no hidden thread pools"),
      ban("import io\\.grpc|import org\\.rocksdb", "reach peers and disk through the seams"));

  private static Ban ban(String regex, String why) {
    return new Ban(Pattern.compile(regex), why);
  }

  private static Path repo() {
    return Path.of(System.getProperty("ringkv.repo", "..")).toAbsolutePath().normalize();
  }

  private static List<String> violations(String source, String file, List<Ban> bans) {
    List<String> out = new ArrayList<>();
    String[] lines = source.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
        continue; // comments may talk about what is banned
      }
      for (Ban b : bans) {
        if (b.pattern().matcher(line).find()) {
          out.add(file + ":" + (i + 1) + ": " + line + "  <- " + b.why());
        }
      }
      if (bans == PROTOCOL_BANS && asyncWithoutExecutor(line)) {
        out.add(file + ":" + (i + 1) + ": " + line
            + "  <- CompletableFuture *Async needs an explicit executor");
      }
    }
    return out;
  }

  /** A call {@code fooAsync(x)} with one argument: it would run on the common pool. */
  static boolean asyncWithoutExecutor(String line) {
    int at = line.indexOf("Async(");
    while (at >= 0) {
      int depth = 0;
      boolean comma = false;
      int i = at + "Async".length();
      for (; i < line.length(); i++) {
        char c = line.charAt(i);
        if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
          if (depth == 0) {
            break;
          }
        } else if (c == ',' && depth == 1) {
          comma = true;
        }
      }
      if (depth == 0 && !comma) {
        return true;
      }
      at = line.indexOf("Async(", at + 1);
    }
    return false;
  }

  private static List<String> scan(List<String> dirs, List<Ban> bans) throws IOException {
    List<String> out = new ArrayList<>();
    for (String d : dirs) {
      Path dir = repo().resolve(d);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
          out.addAll(violations(Files.readString(f), repo().relativize(f).toString(), bans));
        }
      }
    }
    return out;
  }

  @Test
  void protocolCodeUsesOnlyTheInjectedSeams() throws IOException {
    assertThat(Files.isDirectory(repo().resolve("server/src/main/java/io/ringkv/server/coordinator")))
        .as("repo root %s", repo()).isTrue();
    assertThat(scan(PROTOCOL, PROTOCOL_BANS)).isEmpty();
  }

  @Test
  void rocksDbStaysInItsEngineAndGrpcAtTheEdges() throws IOException {
    List<String> rocks = new ArrayList<>();
    for (String module : List.of("config", "ring", "gossip", "server", "client", "sim")) {
      rocks.addAll(scan(List.of(module + "/src/main/java"),
          List.of(ban("import org\\.rocksdb", "only storage/.../rocksdb uses RocksDB"))));
    }
    rocks.addAll(scan(List.of("storage/src/main/java/io/ringkv/storage",
            "storage/src/main/java/io/ringkv/version"),
        List.of(ban("import org\\.rocksdb", "only storage/.../rocksdb uses RocksDB"))).stream()
        .filter(v -> !v.contains("/rocksdb/")).toList());
    assertThat(rocks).isEmpty();
    assertThat(scan(List.of("config/src/main/java", "ring/src/main/java", "storage/src/main/java"),
        List.of(ban("import io\\.grpc", "gRPC belongs to server/.../grpc and the client"))))
        .isEmpty();
  }

  @Test
  void theScannerCatchesWhatItBans() {
    String bad = String.join("\n",
        "class X {",
        "  long t = System.currentTimeMillis();",
        "  // System.currentTimeMillis in a comment is fine",
        "  var f = CompletableFuture.supplyAsync(() -> 1);",
        "  var g = CompletableFuture.supplyAsync(() -> 1, executor);",
        "  Random r = new Random();",
        "}");
    assertThat(violations(bad, "X.java", PROTOCOL_BANS))
        .hasSize(3)
        .anyMatch(v -> v.startsWith("X.java:2:"))
        .anyMatch(v -> v.startsWith("X.java:4:"))
        .anyMatch(v -> v.startsWith("X.java:6:"));
  }
}
