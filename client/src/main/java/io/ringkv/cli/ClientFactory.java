package io.ringkv.cli;

import io.ringkv.client.RingKvClient;
import java.time.Duration;

/** Opens the client a command talks through; tests pass one over an in-process channel. */
@FunctionalInterface
interface ClientFactory {

  /**
   * @param node {@code host:port} from {@code --node}
   * @param timeout from {@code --timeout}, or {@code null} for the client's default
   */
  RingKvClient connect(String node, Duration timeout);

  /** A plaintext gRPC connection to {@code node}. */
  ClientFactory GRPC = (node, timeout) -> {
    RingKvClient.Builder builder = RingKvClient.builder().target(node);
    if (timeout != null) {
      builder.defaultTimeout(timeout);
    }
    return builder.build();
  };
}
