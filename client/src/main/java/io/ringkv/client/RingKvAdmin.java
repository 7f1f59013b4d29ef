package io.ringkv.client;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.ringkv.api.v1.AdminGrpc;
import io.ringkv.api.v1.HintsForNode;
import io.ringkv.api.v1.HintsRequest;
import io.ringkv.api.v1.HintsResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Administration of one node ({@code ringkv.v1.Admin}): what the {@code ringkv admin} commands
 * and operators' tools ask a node about itself. Blocking calls, each with a deadline.
 */
public final class RingKvAdmin implements AutoCloseable {

  /** The hints a node holds for one other node. */
  public record HeldHints(String node, long keys, long bytes, long oldestAgeMillis,
      boolean reachable) {}

  /** A node's hint store and handoff progress. */
  public record HintsReport(String node, List<HeldHints> held, long delivered, long refusedFull,
      long droppedExpired, long totalKeys, long totalBytes) {}

  private final ManagedChannel channel;
  private final Duration timeout;

  private RingKvAdmin(ManagedChannel channel, Duration timeout) {
    this.channel = channel;
    this.timeout = timeout;
  }

  /** Talks to the node at {@code target} ({@code host:port}). */
  public static RingKvAdmin connect(String target, Duration timeout) {
    return new RingKvAdmin(
        Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build(),
        timeout == null ? RingKvClient.DEFAULT_TIMEOUT : timeout);
  }

  /** The node's hints, per node they are meant for, and its handoff counters. */
  public HintsReport hints() {
    try {
      HintsResponse r = AdminGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .hints(HintsRequest.getDefaultInstance());
      List<HeldHints> held = r.getHeldList().stream()
          .map((HintsForNode h) -> new HeldHints(h.getNode(), h.getKeys(), h.getBytes(),
              h.getOldestAgeMs(), h.getReachable()))
          .toList();
      return new HintsReport(r.getNode(), held, r.getDelivered(), r.getRefusedFull(),
          r.getDroppedExpired(), r.getTotalKeys(), r.getTotalBytes());
    } catch (RuntimeException e) {
      throw GrpcKeyValue.toException(e);
    }
  }

  @Override
  public void close() {
    ChannelRouter.shutdown(channel);
  }
}
