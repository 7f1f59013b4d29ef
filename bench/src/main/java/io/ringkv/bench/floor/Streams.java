package io.ringkv.bench.floor;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One bidirectional stream to a node and the requests waiting on it, answered by id: how ringkv's
 * client sessions and replica streams multiplex their calls, without their deadlines and retries
 * (nothing fails on loopback in a benchmark; a failed stream ends the run).
 */
final class Streams {

  private final StreamObserver<byte[]> out;
  private final Map<Long, CompletableFuture<byte[]>> waiting = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  Streams(ManagedChannel channel, io.grpc.MethodDescriptor<byte[], byte[]> method) {
    this.out = ClientCalls.asyncBidiStreamingCall(channel.newCall(method, CallOptions.DEFAULT),
        new StreamObserver<>() {
          @Override
          public void onNext(byte[] answer) {
            CompletableFuture<byte[]> f = waiting.remove(Frames.id(answer));
            if (f != null) {
              f.complete(answer);
            }
          }

          @Override
          public void onError(Throwable t) {
            fail(t);
          }

          @Override
          public void onCompleted() {
            fail(new IllegalStateException("the stream ended"));
          }
        });
  }

  private void fail(Throwable t) {
    waiting.values().forEach(f -> f.completeExceptionally(t));
    waiting.clear();
  }

  /** Sends a request of the kind ({@link Frames#READ} or {@link Frames#WRITE}); its answer. */
  CompletableFuture<byte[]> call(byte kind) {
    long id = ids.incrementAndGet();
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    waiting.put(id, f);
    byte[] frame = Frames.request(id, kind);
    synchronized (out) { // a StreamObserver is not thread-safe
      out.onNext(frame);
    }
    return f;
  }

  void close() {
    synchronized (out) {
      out.onCompleted();
    }
  }
}
