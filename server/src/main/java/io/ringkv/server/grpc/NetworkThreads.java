package io.ringkv.server.grpc;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Netty event loops of one node, shared by its server (client and peer connections in) and
 * its channels to peers (out). gRPC's default is one process-wide group of twice the cores,
 * separate loops picked per connection: a request that arrives on one loop, calls peers from
 * another and answers on a third hands off between threads at every step, and each hand-off to a
 * parked thread is a wake-up system call and usually a context switch. One group of a few threads
 * keeps a request's network work on fewer threads (on one when the group has one).
 *
 * <p>Uses epoll where Netty's native transport loads (Linux), NIO elsewhere.
 */
public final class NetworkThreads implements AutoCloseable {

  private final EventLoopGroup group;
  private final Class<? extends ServerChannel> serverChannel;
  private final Class<? extends Channel> channel;

  private NetworkThreads(EventLoopGroup group, Class<? extends ServerChannel> serverChannel,
      Class<? extends Channel> channel) {
    this.group = group;
    this.serverChannel = serverChannel;
    this.channel = channel;
  }

  /** Starts {@code threads} event loops named after the node. */
  public static NetworkThreads start(String node, int threads) {
    ThreadFactory factory = namedDaemons(node + "-network-");
    if (Epoll.isAvailable()) {
      return new NetworkThreads(new EpollEventLoopGroup(threads, factory),
          EpollServerSocketChannel.class, EpollSocketChannel.class);
    }
    return new NetworkThreads(new NioEventLoopGroup(threads, factory),
        NioServerSocketChannel.class, NioSocketChannel.class);
  }

  /** A server builder on these loops (accepting connections too). */
  public NettyServerBuilder server(InetSocketAddress address) {
    return NettyServerBuilder.forAddress(address)
        .bossEventLoopGroup(group)
        .workerEventLoopGroup(group)
        .channelType(serverChannel);
  }

  /** A channel builder on these loops. */
  public NettyChannelBuilder channel(String target) {
    return NettyChannelBuilder.forTarget(target).eventLoopGroup(group).channelType(channel);
  }

  /** Stops the loops; call after the server and the channels using them are shut down. */
  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  private static ThreadFactory namedDaemons(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
