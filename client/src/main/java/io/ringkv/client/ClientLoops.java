package io.ringkv.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Netty event loops of one client's connections (epoll on Linux, NIO elsewhere). gRPC's
 * default is a process-wide group of twice the cores with each connection on its own loop; a
 * client that talks to every node of a cluster then spreads its calls over that many threads,
 * and each call's completion wakes a parked one. A few loop threads, shared by the client's
 * connections, do the same work with fewer wake-ups (docs/BENCHMARKS.md).
 */
final class ClientLoops implements AutoCloseable {

  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final EventLoopGroup group;
  private final Class<? extends Channel> channelType;

  ClientLoops(int threads) {
    String prefix = "ringkv-client-" + CLIENTS.incrementAndGet() + "-network-";
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    if (Epoll.isAvailable()) {
      group = new EpollEventLoopGroup(threads, factory);
      channelType = EpollSocketChannel.class;
    } else {
      group = new NioEventLoopGroup(threads, factory);
      channelType = NioSocketChannel.class;
    }
  }

  /**
   * A plaintext channel on these loops. Responses complete the caller's future on the loop
   * thread, with no hop through an executor: the client's callbacks never block.
   *
   * <p>A connection with calls open that stays silent for 10 s (gRPC's minimum) is pinged, and
   * given up and dialled again when the ping is not answered in 5 s: a connection the network
   * dropped silently would otherwise fail every call at its deadline until TCP gives up, 15
   * minutes with Linux's defaults. A node accepts pings every 5 s.
   */
  ManagedChannel open(String target) {
    return NettyChannelBuilder.forTarget(target)
        .eventLoopGroup(group)
        .channelType(channelType)
        .usePlaintext()
        .directExecutor()
        .keepAliveTime(10, TimeUnit.SECONDS)
        .keepAliveTimeout(5, TimeUnit.SECONDS)
        .build();
  }

  /** Stops the loops; the channels on them must be shut down first. */
  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
