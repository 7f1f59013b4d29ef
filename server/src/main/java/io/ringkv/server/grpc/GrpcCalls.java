package io.ringkv.server.grpc;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Context;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/** How every node-to-node call is started and its outcome handed to protocol code. */
final class GrpcCalls {

  private GrpcCalls() {}

  /**
   * Starts a call outside the gRPC context of whatever request led to it (that context is
   * cancelled as soon as the client has its answer, and would cancel the replication, hints,
   * repair or transfer still under way), and completes with its converted result or with the
   * failure as {@link GrpcPeers#fromStatus} maps it, on the transport thread.
   *
   * @param peer the node id or address the call goes to, for messages
   * @param onFailure run before the returned future fails (e.g. to hasten a reconnect)
   */
  static <T, R> CompletableFuture<R> call(String peer, Supplier<ListenableFuture<T>> start,
      Function<T, R> convert, Runnable onFailure) {
    ListenableFuture<T> call;
    Context previous = Context.ROOT.attach();
    try {
      call = start.get();
    } finally {
      Context.ROOT.detach(previous);
    }
    CompletableFuture<R> out = new CompletableFuture<>();
    Futures.addCallback(call, new FutureCallback<T>() {
      @Override
      public void onSuccess(T result) {
        try {
          out.complete(convert.apply(result));
        } catch (RuntimeException e) {
          out.completeExceptionally(e);
        }
      }

      @Override
      public void onFailure(Throwable t) {
        onFailure.run();
        out.completeExceptionally(GrpcPeers.fromStatus(peer, t));
      }
    }, MoreExecutors.directExecutor());
    return out;
  }
}
