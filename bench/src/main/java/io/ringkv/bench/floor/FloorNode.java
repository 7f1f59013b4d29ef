package io.ringkv.bench.floor;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.ringkv.server.grpc.NetworkThreads;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.WriteBatch;
import io.ringkv.storage.rocksdb.RocksDbStorageEngine;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node of the floor: ringkv's threads and messages for a quorum request, with no work in them.
 * One network thread (ringkv's {@link NetworkThreads}, as a node on two cores starts) and one
 * "storage" thread, as ringkv's defaults on two cores. A request from a client is sent to the two
 * peers over one stream each and handed to the storage thread; the answer goes back once two of
 * the three (this node's hand-off included) are done, as a coordinator with R=2 or W=2 of N=3.
 * A peer's request is handed to the storage thread, which answers it. Nothing is stored (unless
 * {@code -Dfloor.rocksdb=DIR}, see {@link Work}): what is left is the cost and the waiting of the
 * messages and wake-ups themselves. Without peers a node answers after its own hand-off (one hop,
 * for comparison).
 *
 * <p>{@code FloorNode ID PORT PEER_TARGET...}
 */
public final class FloorNode {

  /** Keys a node with RocksDB reads and writes: YCSB's record count in the standard run. */
  private static final int KEYS = 20_000;

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: FloorNode ID PORT [PEER_HOST:PORT ...]"
          + " (-Dfloor.rocksdb=DIR: read and write RocksDB on the storage thread)");
      System.exit(2);
    }
    String id = args[0];
    int port = Integer.parseInt(args[1]);
    Work work = Work.of(System.getProperty("floor.rocksdb"));
    NetworkThreads network = NetworkThreads.start(id, 1);
    ExecutorService storage = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, id + "-storage");
      t.setDaemon(true);
      return t;
    });
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      channels.add(network.channel(args[i]).usePlaintext().directExecutor().build());
    }
    Peers peers = new Peers(channels);
    // Two of three; a node without peers (a one-hop floor) answers after its own hand-off.
    int quorum = Math.min(2, 1 + channels.size());
    ServerServiceDefinition service = ServerServiceDefinition.builder("ringkv.floor.Floor")
        .addMethod(Frames.SESSION, ServerCalls.asyncBidiStreamingCall(
            out -> new Answering(out) {
              @Override
              public void onNext(byte[] request) {
                AtomicInteger done = new AtomicInteger();
                Runnable one = () -> {
                  if (done.incrementAndGet() == quorum) {
                    send(Frames.answer(request));
                  }
                };
                for (Streams p : peers.streams()) {
                  p.call(Frames.kind(request)).thenRun(one);
                }
                storage.execute(() -> {
                  work.run(Frames.kind(request));
                  one.run();
                });
              }
            }))
        .addMethod(Frames.REPLICA, ServerCalls.asyncBidiStreamingCall(
            out -> new Answering(out) {
              @Override
              public void onNext(byte[] request) {
                storage.execute(() -> {
                  work.run(Frames.kind(request));
                  send(Frames.answer(request));
                });
              }
            }))
        .build();
    Server server = network.server(new InetSocketAddress("127.0.0.1", port))
        .directExecutor().addService(service).build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      channels.forEach(ManagedChannel::shutdownNow);
    }));
    System.out.println("floor node " + id + " listening on 127.0.0.1:" + port);
    server.awaitTermination();
  }

  /**
   * What the storage thread does for a request: nothing, or with {@code -Dfloor.rocksdb=DIR}
   * what a replica's store does in RocksDB (ringkv's engine and tuning): a read gets a key; a
   * write reads it and writes a record (a merge is a read and a write), keys at random among
   * {@link #KEYS}.
   * The engine is never closed: the node ends by being killed (a RocksDB closed under its
   * storage thread would crash the JVM), and bench.sh removes the data after.
   */
  private interface Work {
    void run(byte kind);

    static Work of(String dir) {
      if (dir == null) {
        return kind -> {};
      }
      StorageEngine engine = RocksDbStorageEngine.open(Path.of(dir));
      byte[] record = new byte[Frames.RECORD_BYTES];
      return kind -> {
        byte[] key = ("user" + ThreadLocalRandom.current().nextInt(KEYS))
            .getBytes(StandardCharsets.UTF_8);
        engine.get(StorageEngine.Space.DATA, key);
        if (kind == Frames.WRITE) {
          engine.write(new WriteBatch().put(StorageEngine.Space.DATA, key, record),
              StorageEngine.Durability.BUFFERED);
        }
      };
    }
  }

  /** The streams to the peers, opened on first use (the peers start after this node). */
  private static final class Peers {
    private final List<ManagedChannel> channels;
    private volatile List<Streams> streams;

    Peers(List<ManagedChannel> channels) {
      this.channels = channels;
    }

    List<Streams> streams() {
      List<Streams> s = streams;
      if (s == null) {
        synchronized (this) {
          if (streams == null) {
            List<Streams> opened = new ArrayList<>();
            for (ManagedChannel c : channels) {
              opened.add(new Streams(c, Frames.REPLICA));
            }
            streams = opened;
          }
          s = streams;
        }
      }
      return s;
    }
  }

  /** One incoming stream: answers may be sent from any thread, one at a time. */
  private abstract static class Answering implements StreamObserver<byte[]> {
    private final StreamObserver<byte[]> out;

    Answering(StreamObserver<byte[]> out) {
      this.out = out;
    }

    void send(byte[] answer) {
      synchronized (out) {
        out.onNext(answer);
      }
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {
      synchronized (out) {
        out.onCompleted();
      }
    }
  }

  private FloorNode() {}
}
