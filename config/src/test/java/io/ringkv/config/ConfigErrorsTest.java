package io.ringkv.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigErrorsTest {

  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("ringkv.yaml"), yaml);
  }

  private ConfigException fileError(String yaml) throws IOException {
    return loadError(write(yaml), Map.of());
  }

  private static ConfigException loadError(Path file, Map<String, String> overrides) {
    return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, overrides));
  }

  private String file() {
    return dir.resolve("ringkv.yaml").toString();
  }

  @Test
  void missingFile() {
    Path missing = dir.resolve("nope.yaml");

    ConfigException e = loadError(missing, Map.of());

    assertThat(e.key()).isNull();
    assertThat(e.source()).isEqualTo(missing.toString());
    assertThat(e).hasMessage("config error in " + missing + ": file not found");
  }

  @Test
  void invalidYamlSyntaxNamesTheLine() throws IOException {
    ConfigException e = fileError("node-id: node1\nport: 7070\n  host: x\n");

    assertThat(e.key()).isNull();
    assertThat(e.source()).isEqualTo(file());
    assertThat(e.getMessage())
        .startsWith("config error in " + file() + ": invalid YAML at line 3, column ")
        .doesNotContain("\n");
  }

  @Test
  void duplicateKeyIsInvalidYaml() throws IOException {
    ConfigException e = fileError("port: 1\nport: 2\n");

    assertThat(e.getMessage()).contains("invalid YAML at line 2").contains("duplicate key port");
  }

  @Test
  void objectConstructionTagsAreRefused() throws IOException {
    ConfigException e = fileError("host: !!java.net.URL [\"http://example.com\"]\n");

    assertThat(e.getMessage()).startsWith("config error in " + file() + ": invalid YAML at line 1");
  }

  @Test
  void integersYaml11WouldReadAsOctalAreRefused() throws IOException {
    // YAML 1.1 reads 07070 as 3640: a node would quietly listen on the wrong port.
    assertThat(fileError("port: 07070\n"))
        .hasMessage("config error in " + file() + ": invalid YAML at line 1, column 7: "
            + "'07070' would be read as octal or base 60; write a plain decimal number");
  }

  @Test
  void topLevelMustBeAMapping() throws IOException {
    assertThat(fileError("- a\n- b\n"))
        .hasMessage("config error in " + file() + ": expected 'key: value' lines at the top level, got a list");
  }

  @Test
  void unknownKeySuggestsTheNearestKnownOne() throws IOException {
    ConfigException e = fileError("replicaton:\n  n: 3\n");

    assertThat(e.key()).isEqualTo("replicaton");
    assertThat(e.source()).isEqualTo(file());
    assertThat(e).hasMessage("config error in " + file() + ": unknown key 'replicaton' (did you mean 'replication'?)");
  }

  @Test
  void unknownKeysInsideSectionsAndMisplacedKeys() throws IOException {
    assertThat(fileError("limits:\n  max-key-byte: 10\n"))
        .hasMessageEndingWith("unknown key 'limits.max-key-byte' (did you mean 'limits.max-key-bytes'?)");
    assertThat(fileError("max-siblings: 10\n"))
        .hasMessageEndingWith("unknown key 'max-siblings' (did you mean 'limits.max-siblings'?)");
    assertThat(fileError("colour: blue\n")).hasMessageEndingWith("unknown key 'colour'");
  }

  @Test
  void unknownOverrideKeyIsFromTheCommandLine() {
    ConfigException e = loadError(null, Map.of("replication.q", "3"));

    assertThat(e.key()).isEqualTo("replication.q");
    assertThat(e.source()).isEqualTo(ConfigLoader.COMMAND_LINE);
    assertThat(e).hasMessage("config error in command line: unknown key 'replication.q' (did you mean 'replication.n'?)");
    assertThat(loadError(null, Map.of("replication", "3")))
        .hasMessageEndingWith("'replication' is a section; set one of replication.n, replication.r, replication.w");
  }

  @Test
  void wrongTypesInTheFile() throws IOException {
    ConfigException e = fileError("port: abc\n");
    assertThat(e.key()).isEqualTo("port");
    assertThat(e).hasMessage("config error in " + file() + ": port: expected an integer, got 'abc'");

    assertThat(fileError("port: \"7070\"\n")).hasMessageEndingWith("port: expected an integer, got '7070'");
    assertThat(fileError("port: 7070.5\n")).hasMessageEndingWith("port: expected an integer, got 7070.5");
    assertThat(fileError("port: 99999999999\n")).hasMessageEndingWith("port: expected an integer, got 99999999999 (too large)");
    assertThat(fileError("node-id: 7\n")).hasMessageEndingWith("node-id: expected a string, got 7 (put it in quotes)");
    assertThat(fileError("storage:\n  sync-writes: sometimes\n"))
        .hasMessageEndingWith("storage.sync-writes: expected true or false, got 'sometimes'");
    assertThat(fileError("seeds: a:1\n")).hasMessageEndingWith("seeds: expected a list, got 'a:1'");
    assertThat(fileError("members: [7]\n")).hasMessageEndingWith("members: expected a list of strings, got 7 in the list");
    assertThat(fileError("replication: 3\n"))
        .hasMessageEndingWith("replication: expected a section with replication.n, replication.r, replication.w, got 3");
    assertThat(fileError("storage:\n  engine: leveldb\n"))
        .hasMessageEndingWith("storage.engine: expected one of rocksdb, memory, got 'leveldb'");
    assertThat(fileError("port:\n")).hasMessageEndingWith("port: has no value; give one, or remove the key to use the default");
  }

  @Test
  void wrongTypesOnTheCommandLine() {
    ConfigException e = loadError(null, Map.of("port", "abc"));

    assertThat(e.key()).isEqualTo("port");
    assertThat(e.source()).isEqualTo("command line");
    assertThat(e).hasMessage("config error in command line: port: expected an integer, got 'abc'");
    assertThat(loadError(null, Map.of("storage.sync-writes", "yes")))
        .hasMessage("config error in command line: storage.sync-writes: expected true or false, got 'yes'");
  }

  @Test
  void rangeRulesNameTheKeyAndTheSourceOfTheValue() throws IOException {
    Path file = write("replication:\n  r: 5\n");

    ConfigException e = loadError(file, Map.of());

    assertThat(e.key()).isEqualTo("replication.r");
    assertThat(e).hasMessage("config error in " + file + ": replication.r: must be between 1 and replication.n (3), got 5");
    assertThat(loadError(null, Map.of("port", "70000")))
        .hasMessage("config error in command line: port: must be between 0 and 65535, got 70000");
    assertThat(loadError(null, Map.of("timeouts.replica-ms", "0")))
        .hasMessageEndingWith("timeouts.replica-ms: must be at least 1, got 0");
    assertThat(loadError(null, Map.of("node-id", "node 1")))
        .hasMessageEndingWith("node-id: must match [A-Za-z0-9._-]{1,64}, got 'node 1'");
    assertThat(loadError(null, Map.of("cluster-name", " ")))
        .hasMessageEndingWith("cluster-name: must not be empty");
  }

  @Test
  void crossKeyRuleNamesWhereverTheLatestOfItsKeysWasSet() throws IOException {
    // r = 2 is the default; lowering n in the file is what broke the rule, so name the file.
    Path file = write("replication:\n  n: 1\n");
    ConfigException e = loadError(file, Map.of());
    assertThat(e.key()).isEqualTo("replication.r");
    assertThat(e.source()).isEqualTo(file.toString());
    assertThat(e).hasMessage("config error in " + file + ": replication.r: must be between 1 and replication.n (1), got 2");

    assertThat(loadError(null, Map.of("replication.n", "1")).source()).isEqualTo("command line");
  }

  @Test
  void threadCountsAreBounded() {
    assertThat(loadError(null, Map.of("threads.network", "-1")))
        .hasMessage("config error in command line: threads.network: must be between 0 and 256"
            + " (0: half the cores), got -1");
    assertThat(loadError(null, Map.of("threads.storage", "1000")))
        .hasMessageEndingWith("threads.storage: must be between 0 and 256 (0: half the cores),"
            + " got 1000");
    NodeConfig.Threads auto = ConfigLoader.load(null, Map.of()).threads();
    int half = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    assertThat(auto.networkThreads()).isEqualTo(half);
    assertThat(auto.storageThreads()).isEqualTo(half);
    NodeConfig.Threads set =
        ConfigLoader.load(null, Map.of("threads.network", "3", "threads.storage", "5")).threads();
    assertThat(set.networkThreads()).isEqualTo(3);
    assertThat(set.storageThreads()).isEqualTo(5);
  }

  @Test
  void antiEntropyRulesNameTheirKeys() throws IOException {
    assertThat(loadError(null, Map.of("anti-entropy.tree-leaves", "1000")))
        .hasMessage("config error in command line: anti-entropy.tree-leaves: must be a power of"
            + " two between 1 and 1048576, got 1000");
    assertThat(loadError(null, Map.of("anti-entropy.max-keys-per-second", "0")))
        .hasMessageEndingWith("anti-entropy.max-keys-per-second: must be at least 1, got 0");
    // The grace must outlast hints; raising the hint age in the file is what broke it.
    Path file = write("handoff:\n  max-hint-age-ms: 200000000\n");
    ConfigException e = loadError(file, Map.of());
    assertThat(e.key()).isEqualTo("anti-entropy.tombstone-grace-ms");
    assertThat(e.source()).isEqualTo(file.toString());
    assertThat(e).hasMessageContaining("must be at least handoff.max-hint-age-ms (200000000)");
    assertThat(ConfigLoader.load(null, Map.of("anti-entropy.enabled", "false")).antiEntropy()
        .enabled()).isFalse();
  }

  @Test
  void partitionsMustBeAPowerOfTwo() {
    ConfigException e = loadError(null, Map.of("partitions", "100"));

    assertThat(e.key()).isEqualTo("partitions");
    assertThat(e).hasMessage("config error in command line: partitions: must be a power of two between 2 and 4096, got 100");
    assertThat(loadError(null, Map.of("partitions", "131072"))).hasMessageContaining("partitions: must be a power of two");
    // One partition is no ring (Ring.initial needs two): refused here, not by a crash at start.
    assertThat(loadError(null, Map.of("partitions", "1"))).hasMessageContaining("got 1");
    assertThat(ConfigLoader.load(null, Map.of("partitions", "2")).partitions()).isEqualTo(2);
    assertThat(ConfigLoader.load(null, Map.of("partitions", "4096")).partitions()).isEqualTo(4096);
  }

  @Test
  void membersMustBeWellFormedUniqueAndIncludeThisNode() throws IOException {
    ConfigException malformed = fileError("members: [\"node1@localhost\"]\n");
    assertThat(malformed.key()).isEqualTo("members");
    assertThat(malformed).hasMessage("config error in " + file() + ": members: expected nodeId@host:port, got 'node1@localhost'");

    assertThat(fileError("members: [\"node1@a:1\", \"node1@b:2\"]\n"))
        .hasMessageEndingWith("members: node id 'node1' appears more than once");
    assertThat(fileError("members: [\"node1@a:0\"]\n"))
        .hasMessageEndingWith("members: needs a port between 1 and 65535, got 'node1@a:0'");

    ConfigException missingSelf = fileError("members: [\"node2@a:1\", \"node3@b:1\"]\n");
    assertThat(missingSelf.key()).isEqualTo("node-id");
    assertThat(missingSelf.source()).isEqualTo(file());
    assertThat(missingSelf).hasMessage("config error in " + file() + ": node-id: 'node1' is not one of the members (node2, node3)");
  }

  @Test
  void seedsMustBeHostPort() {
    ConfigException e = loadError(null, Map.of("seeds", "a:1,b"));

    assertThat(e.key()).isEqualTo("seeds");
    assertThat(e).hasMessage("config error in command line: seeds: expected host:port, got 'b'");
  }

  @Test
  void recordsBuiltInCodeAreCheckedToo() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> new NodeConfig.Replication(3, 4, 1));

    assertThat(e.key()).isEqualTo("replication.r");
    assertThat(e.source()).isNull();
    assertThat(e).hasMessage("config error: replication.r: must be between 1 and replication.n (3), got 4");
  }
}
