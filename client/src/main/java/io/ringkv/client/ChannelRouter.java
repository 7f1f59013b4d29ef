package io.ringkv.client;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;

/**
 * Chooses the channel that carries a call for a key. Today there is one: {@link #fixed}, every key
 * to one node, which coordinates. When the cluster serves its ring ({@code Cluster.GetRing}), a
 * routing implementation holds a channel per endpoint and sends each key to one of its replicas;
 * {@link GrpcKeyValue} does not change.
 */
interface ChannelRouter extends AutoCloseable {

  /** The channel for a call about {@code key}; never null. */
  Channel channelFor(ByteString key);

  /** Releases the channels this router created; calls in flight on them may fail. */
  @Override
  void close();

  /**
   * One channel for every key.
   *
   * @param owned whether {@link #close()} shuts the channel down (true when the client built it)
   */
  static ChannelRouter fixed(Channel channel, boolean owned) {
    return new ChannelRouter() {
      @Override
      public Channel channelFor(ByteString key) {
        return channel;
      }

      @Override
      public void close() {
        if (owned && channel instanceof ManagedChannel managed) {
          shutdown(managed);
        }
      }
    };
  }

  /** Graceful shutdown, bounded: in-flight calls get a second to finish, then are cancelled. */
  private static void shutdown(ManagedChannel channel) {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
