package io.ringkv.client;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Chooses the channels that can carry a call for a key, best first. {@link #fixed} sends every
 * key to one node, which coordinates or forwards; {@link RingRouter} sends each key straight to
 * its home replicas, from the ring the cluster serves.
 */
interface ChannelRouter extends AutoCloseable {

  /** The channels for a call about {@code key}, best first; never empty. */
  List<Channel> channelsFor(ByteString key);

  /** A node answered that it serves by this ring version (a router may refetch the ring). */
  default void ringVersionSeen(long version) {}

  /** Releases the channels this router created; calls in flight on them may fail. */
  @Override
  void close();

  /**
   * One channel for every key.
   *
   * @param owned whether {@link #close()} shuts the channel down (true when the client built it)
   */
  static ChannelRouter fixed(Channel channel, boolean owned) {
    List<Channel> only = List.of(channel);
    return new ChannelRouter() {
      @Override
      public List<Channel> channelsFor(ByteString key) {
        return only;
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
  static void shutdown(ManagedChannel channel) {
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
