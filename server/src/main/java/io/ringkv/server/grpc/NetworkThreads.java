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
import java.time.Duration;
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

  /**
   * How long a connection may be silent before it is pinged (by a channel only while it has calls
   * open; by the server always), and how long the
   * ping may go unanswered before the connection is given up and dialled again. Without it a
   * connection that the network drops silently (a peer powered off, a firewall or NAT forgetting
   * the flow) looks established until TCP gives up retransmitting, 15 minutes with Linux's
   * defaults, and every call on it waits for its deadline. 10 s is gRPC's minimum; a busy
   * connection is never pinged (any frame received resets the timer).
   */
  static final Duration KEEPALIVE_TIME = Duration.ofSeconds(10);
  static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(5);
  /**
   * The server accepts pings this often. Below every client's {@link #KEEPALIVE_TIME}, or it
   * would answer their pings with GOAWAY ("too_many_pings"); the Java client pings at the same
   * rate (io.ringkv.client.ClientLoops).
   */
  static final Duration PERMIT_KEEPALIVE_TIME = Duration.ofSeconds(5);

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
        .channelType(serverChannel)
        .permitKeepAliveTime(PERMIT_KEEPALIVE_TIME.toNanos(), TimeUnit.NANOSECONDS)
        // The server pings too, every connection silent for KEEPALIVE_TIME, with calls open or
        // not (gRPC's server keepalive does not wait for calls): a caller the network lost has
        // its calls cancelled and its connection closed instead of waiting for TCP.
        .keepAliveTime(KEEPALIVE_TIME.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** A channel builder on these loops, pinging a silent connection that has calls open. */
  public NettyChannelBuilder channel(String target) {
    return NettyChannelBuilder.forTarget(target).eventLoopGroup(group).channelType(channel)
        .keepAliveTime(KEEPALIVE_TIME.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
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
