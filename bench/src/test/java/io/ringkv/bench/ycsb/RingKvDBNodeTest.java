package io.ringkv.bench.ycsb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.client.Context;
import io.ringkv.client.GetResult;
import io.ringkv.client.RingKvClient;
import io.ringkv.config.ConfigLoader;
import io.ringkv.server.RingKvNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.Vector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/** The binding against a real node (RocksDB, gRPC on a loopback port) in this JVM. */
class RingKvDBNodeTest {

  @TempDir
  static Path data;

  private static RingKvNode node;
  private static DB db;
  private static RingKvClient raw;

  @BeforeAll
  static void start() throws Exception {
    node = RingKvNode.start(ConfigLoader.load(null, Map.of(
        "port", "0", "data-dir", data.toString(),
        "replication.n", "1", "replication.r", "1", "replication.w", "1")));
    Properties p = new Properties();
    p.setProperty("ringkv.hosts", node.advertised());
    db = new RingKvDB();
    db.setProperties(p);
    db.init();
    raw = RingKvClient.builder().target(node.advertised()).build();
  }

  @AfterAll
  static void stop() throws Exception {
    raw.close();
    db.cleanup();
    node.close();
  }

  private static Map<String, ByteIterator> fields(String... nameValue) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      m.put(nameValue[i], nameValue[i + 1]);
    }
    return StringByteIterator.getByteIteratorMap(m);
  }

  private static Map<String, String> read(String key, Set<String> wanted) {
    Map<String, ByteIterator> out = new HashMap<>();
    assertThat(db.read("usertable", key, wanted, out)).isEqualTo(Status.OK);
    return new TreeMap<>(StringByteIterator.getStringMap(out));
  }

  @Test
  void insertReadUpdateDelete() {
    assertThat(db.insert("usertable", "user1", fields("field0", "a", "field1", "b", "field2", "c")))
        .isEqualTo(Status.OK);
    assertThat(read("user1", null)).isEqualTo(Map.of("field0", "a", "field1", "b", "field2", "c"));
    assertThat(read("user1", Set.of("field1"))).isEqualTo(Map.of("field1", "b"));

    // YCSB update semantics: only the given fields change.
    assertThat(db.update("usertable", "user1", fields("field1", "B"))).isEqualTo(Status.OK);
    assertThat(read("user1", null)).isEqualTo(Map.of("field0", "a", "field1", "B", "field2", "c"));
    // Written with the read's context: it superseded the old version, no sibling was made.
    assertThat(raw.get(RingKvDB.key("usertable", "user1")).values()).hasSize(1);

    assertThat(db.delete("usertable", "user1")).isEqualTo(Status.OK);
    assertThat(db.read("usertable", "user1", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
    assertThat(db.delete("usertable", "user1")).isEqualTo(Status.NOT_FOUND);
  }

  @Test
  void updateOfAMissingRecordCreatesIt() {
    assertThat(db.update("usertable", "fresh", fields("field4", "x"))).isEqualTo(Status.OK);
    assertThat(read("fresh", null)).isEqualTo(Map.of("field4", "x"));
  }

  @Test
  void siblingsAreResolvedOnReadAndCollapsedByTheNextUpdate() {
    // Two blind inserts of one key are concurrent: the node keeps both.
    assertThat(db.insert("usertable", "twice", fields("f0", "left", "f1", "same"))).isEqualTo(
        Status.OK);
    assertThat(db.insert("usertable", "twice", fields("f0", "right", "f2", "only-here")))
        .isEqualTo(Status.OK);
    byte[] key = RingKvDB.key("usertable", "twice");
    assertThat(raw.get(key).values()).hasSize(2);

    // Union of fields; the conflicting f0 takes the greater value ("right" > "left").
    assertThat(read("twice", null))
        .isEqualTo(Map.of("f0", "right", "f1", "same", "f2", "only-here"));

    assertThat(db.update("usertable", "twice", fields("f1", "changed"))).isEqualTo(Status.OK);
    GetResult after = raw.get(key);
    assertThat(after.values()).hasSize(1);
    assertThat(new TreeMap<>(FieldCodec.decode(after.values().get(0))).keySet())
        .containsExactly("f0", "f1", "f2");
    assertThat(read("twice", null))
        .isEqualTo(Map.of("f0", "right", "f1", "changed", "f2", "only-here"));
  }

  @Test
  void aValueThatIsNotARecordIsReportedNotMisread() {
    raw.put(RingKvDB.key("usertable", "foreign"), "plain text".getBytes(UTF_8), Context.EMPTY);
    assertThat(db.read("usertable", "foreign", null, new HashMap<>()))
        .isEqualTo(Status.UNEXPECTED_STATE);
  }

  @Test
  void scanIsNotImplemented() {
    assertThat(db.scan("usertable", "user0", 10, null, new Vector<>()))
        .isEqualTo(Status.NOT_IMPLEMENTED);
  }

  @Test
  void reuseReadSkipsTheSecondReadOfAReadModifyWrite() throws Exception {
    Properties p = new Properties();
    p.setProperty("ringkv.hosts", node.advertised());
    p.setProperty("ringkv.update.reuse-read", "true");
    DB rmw = new RingKvDB();
    rmw.setProperties(p);
    rmw.init();
    try {
      assertThat(rmw.insert("usertable", "rmw", fields("a", "1", "b", "2"))).isEqualTo(Status.OK);
      assertThat(rmw.read("usertable", "rmw", null, new HashMap<>())).isEqualTo(Status.OK);
      // Another writer slips in between the read and the write of the read-modify-write ...
      raw.put(RingKvDB.key("usertable", "rmw"),
          FieldCodec.encode(Map.of("a", "9".getBytes(UTF_8))),
          raw.get(RingKvDB.key("usertable", "rmw")).context());
      assertThat(rmw.update("usertable", "rmw", fields("b", "3"))).isEqualTo(Status.OK);
      // ... and, the write carrying the older context, both versions are kept: nothing is lost.
      assertThat(raw.get(RingKvDB.key("usertable", "rmw")).values()).hasSize(2);
      assertThat(read("rmw", null)).isEqualTo(Map.of("a", "9", "b", "3"));
    } finally {
      rmw.cleanup();
    }
  }
}
