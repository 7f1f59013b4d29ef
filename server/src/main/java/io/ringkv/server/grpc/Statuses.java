package io.ringkv.server.grpc;

import io.grpc.Status;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.storage.StorageException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps failures to gRPC statuses. Nothing leaves the node as {@code UNKNOWN}. */
final class Statuses {

  private static final Logger log = LoggerFactory.getLogger(Statuses.class);

  private Statuses() {}

  static Status toStatus(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof KvException kv) {
      Status s =
          switch (kv.code()) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
            case INTERNAL -> Status.INTERNAL;
          };
      return s.withDescription(kv.getMessage());
    }
    if (e instanceof io.ringkv.gossip.MembershipException m) {
      Status s = switch (m.reason()) {
        case INVALID -> Status.INVALID_ARGUMENT;
        case REFUSED -> Status.FAILED_PRECONDITION;
        case ALREADY -> Status.ALREADY_EXISTS;
      };
      return s.withDescription(m.getMessage());
    }
    if (e instanceof io.ringkv.gossip.Gossiper.ForeignClusterException f) {
      return Status.FAILED_PRECONDITION.withDescription(f.getMessage());
    }
    if (e instanceof io.ringkv.storage.HintStore.Full full) {
      return Status.RESOURCE_EXHAUSTED.withDescription(full.getMessage());
    }
    if (e instanceof StorageException) {
      log.error("storage failure while serving a request", e);
      return Status.UNAVAILABLE.withDescription("storage failure: " + e.getMessage());
    }
    log.error("unexpected failure while serving a request", e);
    return Status.INTERNAL.withDescription("internal error: " + e);
  }
}
