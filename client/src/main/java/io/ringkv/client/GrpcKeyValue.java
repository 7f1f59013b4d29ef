package io.ringkv.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.ringkv.api.v1.DeleteRequest;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.KeyValueGrpc;
import io.ringkv.api.v1.PutRequest;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The gRPC edge of the client: converts to and from the protobuf messages, puts a deadline on every
 * call, and turns gRPC statuses into {@link RingKvException}s. The only class that sees stubs.
 *
 * <p>No thread per call: the future stub's listener runs with a direct executor, on the thread
 * that completes the call (a gRPC executor thread, or the caller's with a direct-executor channel).
 */
final class GrpcKeyValue implements AutoCloseable {

  private final ChannelRouter router;
  private final Duration defaultTimeout;

  GrpcKeyValue(ChannelRouter router, Duration defaultTimeout) {
    this.router = Objects.requireNonNull(router, "router");
    this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
  }

  CompletableFuture<GetResult> get(ByteString key, ReadOptions options) {
    GetRequest request = GetRequest.newBuilder().setKey(key).setR(options.r()).build();
    return attempt(key, options.timeout(), true, stub -> stub.get(request),
        GrpcKeyValue::toResult, 0);
  }

  CompletableFuture<Context> put(
      ByteString key, ByteString value, Context context, WriteOptions options) {
    PutRequest request = PutRequest.newBuilder()
        .setKey(key)
        .setValue(value)
        .setContext(context.byteString())
        .setW(options.w())
        .build();
    return attempt(key, options.timeout(), false, stub -> stub.put(request),
        response -> Context.ofByteString(response.getContext()), 0);
  }

  CompletableFuture<Void> delete(ByteString key, Context context, WriteOptions options) {
    DeleteRequest request = DeleteRequest.newBuilder()
        .setKey(key)
        .setContext(context.byteString())
        .setW(options.w())
        .build();
    return attempt(key, options.timeout(), false, stub -> stub.delete(request),
        response -> null, 0);
  }

  @Override
  public void close() {
    router.close();
  }

  /**
   * Sends the call to the key's first channel; when that node cannot be reached, to the next.
   * A read moves on after any UNAVAILABLE (reads are safe to repeat); a write only when the
   * connection itself failed, so that it never runs twice.
   */
  private <R, T> CompletableFuture<T> attempt(
      ByteString key,
      Duration timeout,
      boolean idempotent,
      Function<KeyValueGrpc.KeyValueFutureStub, ListenableFuture<R>> call,
      Function<? super R, ? extends T> convert,
      int index) {
    List<io.grpc.Channel> channels = router.channelsFor(key);
    Duration effective = timeout != null ? timeout : defaultTimeout;
    KeyValueGrpc.KeyValueFutureStub stub =
        KeyValueGrpc.newFutureStub(channels.get(Math.min(index, channels.size() - 1)))
            .withDeadlineAfter(effective.toNanos(), TimeUnit.NANOSECONDS);
    CompletableFuture<T> first = bridge(call.apply(stub), convert);
    if (index + 1 >= channels.size()) {
      return first;
    }
    return first.exceptionallyCompose(e -> {
      RingKvException failure = toException(e instanceof java.util.concurrent.CompletionException
          && e.getCause() != null ? e.getCause() : e);
      boolean unreachable = failure.code() == RingKvException.Code.UNAVAILABLE
          && (idempotent || connectFailed(failure));
      return unreachable
          ? attempt(key, timeout, idempotent, call, convert, index + 1)
          : CompletableFuture.failedFuture(failure);
    });
  }

  private static boolean connectFailed(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.net.ConnectException || c instanceof java.net.UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  private static GetResult toResult(GetResponse response) {
    List<byte[]> values = response.getValuesList().stream().map(ByteString::toByteArray).toList();
    return new GetResult(values, Context.ofByteString(response.getContext()));
  }

  /** A CompletableFuture of the converted response; cancelling it cancels the call. */
  private static <R, T> CompletableFuture<T> bridge(
      ListenableFuture<R> call, Function<? super R, ? extends T> convert) {
    CompletableFuture<T> result = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        call.cancel(mayInterruptIfRunning);
        return super.cancel(mayInterruptIfRunning);
      }
    };
    Futures.addCallback(call, new FutureCallback<R>() {
      @Override
      public void onSuccess(R response) {
        try {
          result.complete(convert.apply(response));
        } catch (RuntimeException e) {
          result.completeExceptionally(
              new RingKvException(RingKvException.Code.INTERNAL, "bad response: " + e, e));
        }
      }

      @Override
      public void onFailure(Throwable t) {
        result.completeExceptionally(toException(t));
      }
    }, MoreExecutors.directExecutor());
    return result;
  }

  static RingKvException toException(Throwable t) {
    if (t instanceof RingKvException e) {
      return e;
    }
    Status status = Status.fromThrowable(t);
    RingKvException.Code code = status.getCode() == Status.Code.OK
        ? RingKvException.Code.UNKNOWN
        : RingKvException.Code.valueOf(status.getCode().name());
    String description = status.getDescription() == null ? "" : status.getDescription();
    Throwable cause = status.getCause();
    if (cause != null && cause.getMessage() != null) {
      // A transport failure (connection refused, ...): the cause says which.
      description = description.isEmpty()
          ? cause.getMessage()
          : description + ": " + cause.getMessage();
    }
    return new RingKvException(code, description, t);
  }
}
