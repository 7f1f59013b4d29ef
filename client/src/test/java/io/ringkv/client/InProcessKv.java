package io.ringkv.client;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FakeKeyValue} behind an in-process gRPC server, and a channel to it. Direct executors
 * throughout: a call runs to completion on the calling thread, so tests need no waiting.
 */
public final class InProcessKv implements AutoCloseable {

  private final FakeKeyValue fake = new FakeKeyValue();
  private final Server server;
  private final ManagedChannel channel;

  public InProcessKv() {
    String name = InProcessServerBuilder.generateName();
    try {
      server =
          InProcessServerBuilder.forName(name).directExecutor().addService(fake).build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  public FakeKeyValue fake() {
    return fake;
  }

  public ManagedChannel channel() {
    return channel;
  }

  /** A client over the channel (which the client does not own). */
  public RingKvClient client() {
    return RingKvClient.builder().channel(channel).build();
  }

  @Override
  public void close() {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
