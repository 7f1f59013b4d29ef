package io.ringkv.bench.ycsb;

import io.ringkv.client.Context;
import io.ringkv.client.GetResult;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingKvClient;
import io.ringkv.client.RingKvException;
import io.ringkv.client.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.Vector;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * The YCSB binding of ringkv, on the Java client's blocking calls (YCSB runs one operation at a
 * time per thread). A record is one value, its field map in {@link FieldCodec} form, under the key
 * {@code table/key}; siblings are resolved by {@link SiblingMerge}.
 *
 * <ul>
 *   <li>read: one get; the resolved record, restricted to the asked fields.
 *   <li>insert: a blind put (no context). The load phase writes fresh keys, so no read is needed;
 *       inserting an existing key makes a sibling, which the next update resolves.
 *   <li>update: read, resolve, replace the given fields, put with the read's context, so the write
 *       supersedes exactly what was read (YCSB update replaces only the given fields). A missing
 *       record is created with the given fields (an upsert, as Cassandra's binding does).
 *   <li>delete: read for the context, then delete with it; NOT_FOUND if there is nothing.
 *   <li>scan: NOT_IMPLEMENTED (keys are hashed over the ring: there is no ordered range).
 * </ul>
 *
 * <p>Properties: {@code ringkv.hosts} (comma-separated host:port, default 127.0.0.1:7070),
 * {@code ringkv.routing} (true: the client routes each key to its replicas from the ring of the
 * first host; false: thread i talks to host i mod hosts, which coordinates or forwards),
 * {@code ringkv.timeout-ms} (5000), {@code ringkv.r} and {@code ringkv.w} (0: the cluster
 * default), {@code ringkv.update.reuse-read} (false: an update right after a read of the same key
 * by the same thread, as in workload F's read-modify-write, reuses that read instead of reading
 * again), {@code ringkv.debug} (false: print every failure, not just the first ten).
 */
public final class RingKvDB extends DB {

  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final AtomicLong FAILURES = new AtomicLong();
  private static final int FAILURES_PRINTED = 10;

  private String target;
  private boolean routing;
  private Duration timeout;
  private RingKvClient client;
  private ReadOptions readOptions;
  private WriteOptions writeOptions;
  private boolean reuseRead;
  private boolean debug;
  /** The last read of this thread, if the last operation was a read: for reuse-read. */
  private String lastReadKey;
  private GetResult lastRead;

  @Override
  public void init() throws DBException {
    Properties p = getProperties();
    try {
      String[] hosts = p.getProperty("ringkv.hosts", "127.0.0.1:7070").split(",");
      routing = Boolean.parseBoolean(p.getProperty("ringkv.routing", "true"));
      int thread = THREADS.getAndIncrement();
      target = (routing ? hosts[0] : hosts[thread % hosts.length]).strip();
      timeout = Duration.ofMillis(Long.parseLong(p.getProperty("ringkv.timeout-ms", "5000")));
      readOptions = new ReadOptions(Integer.parseInt(p.getProperty("ringkv.r", "0")), null);
      writeOptions = new WriteOptions(Integer.parseInt(p.getProperty("ringkv.w", "0")), null);
      reuseRead = Boolean.parseBoolean(p.getProperty("ringkv.update.reuse-read", "false"));
      debug = Boolean.parseBoolean(p.getProperty("ringkv.debug", "false"));
      client = SharedClients.acquire(target, routing, timeout);
    } catch (RuntimeException e) {
      throw new DBException("ringkv binding: bad configuration: " + e.getMessage(), e);
    }
  }

  @Override
  public void cleanup() {
    if (client != null) {
      SharedClients.release(target, routing, timeout);
      client = null;
    }
  }

  @Override
  public Status read(String table, String key, Set<String> fields,
      Map<String, ByteIterator> result) {
    lastRead = null;
    try {
      GetResult read = client.get(key(table, key), readOptions);
      if (!read.found()) {
        return Status.NOT_FOUND;
      }
      SortedMap<String, byte[]> record = read.hasSiblings()
          ? SiblingMerge.resolve(read.values())
          : FieldCodec.decode(read.values().get(0), fields);
      for (Map.Entry<String, byte[]> e : record.entrySet()) {
        if (fields == null || fields.contains(e.getKey())) {
          result.put(e.getKey(), new ByteArrayByteIterator(e.getValue()));
        }
      }
      if (reuseRead) {
        lastReadKey = table + '/' + key;
        lastRead = read;
      }
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("read", key, e);
    }
  }

  @Override
  public Status scan(String table, String startkey, int recordcount, Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    lastRead = null;
    return Status.NOT_IMPLEMENTED;
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    GetResult previous = lastRead != null && lastReadKey.equals(table + '/' + key)
        ? lastRead : null;
    lastRead = null;
    try {
      byte[] k = key(table, key);
      GetResult read = previous != null ? previous : client.get(k, readOptions);
      SortedMap<String, byte[]> record = read.found()
          ? SiblingMerge.resolve(read.values())
          : new TreeMap<>();
      for (Map.Entry<String, ByteIterator> e : values.entrySet()) {
        record.put(e.getKey(), e.getValue().toArray());
      }
      client.put(k, FieldCodec.encode(record), read.context(), writeOptions);
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("update", key, e);
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    lastRead = null;
    try {
      client.put(key(table, key), FieldCodec.encode(toBytes(values)), Context.EMPTY,
          writeOptions);
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("insert", key, e);
    }
  }

  @Override
  public Status delete(String table, String key) {
    lastRead = null;
    try {
      byte[] k = key(table, key);
      GetResult read = client.get(k, readOptions);
      if (!read.found()) {
        return Status.NOT_FOUND;
      }
      client.delete(k, read.context(), writeOptions);
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("delete", key, e);
    }
  }

  /** The ringkv key of a record: the table is a prefix, so two tables never share a key. */
  static byte[] key(String table, String key) {
    return (table + '/' + key).getBytes(StandardCharsets.UTF_8);
  }

  static Map<String, byte[]> toBytes(Map<String, ByteIterator> values) {
    Map<String, byte[]> out = new HashMap<>(values.size() * 2);
    for (Map.Entry<String, ByteIterator> e : values.entrySet()) {
      out.put(e.getKey(), e.getValue().toArray());
    }
    return out;
  }

  /**
   * Maps a failure to YCSB's status, printing the first few (a benchmark that fails every call
   * should say why once, not a million times; YCSB counts them per operation anyway).
   */
  private Status failed(String op, String key, RuntimeException e) {
    long n = FAILURES.incrementAndGet();
    if (debug || n <= FAILURES_PRINTED) {
      System.err.println("ringkv binding: " + op + " " + key + " failed: " + e
          + (n == FAILURES_PRINTED && !debug ? " (further failures are not printed)" : ""));
    }
    if (e instanceof RingKvException k) {
      return switch (k.code()) {
        case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED -> Status.SERVICE_UNAVAILABLE;
        case INVALID_ARGUMENT -> Status.BAD_REQUEST;
        default -> Status.ERROR;
      };
    }
    return Status.UNEXPECTED_STATE; // a value that does not decode as a record
  }
}
