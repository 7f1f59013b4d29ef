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
import io.ringkv.api.v1.SessionRequest;
import io.ringkv.api.v1.SessionResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The gRPC edge of the client: converts to and from the protobuf messages, puts a deadline on every
 * call, and turns gRPC statuses into {@link RingKvException}s. The only class that sees stubs.
 *
 * <p>Requests go to a node as messages on its {@linkplain ClientSession session} stream (one
 * message each way instead of a call), except large ones and those to a node that has no
 * sessions, which go as unary calls. Both ways behave the same to the caller.
 *
 * <p>No thread per call: the future stub's listener runs with a direct executor, on the thread
 * that completes the call (a gRPC executor thread, or the caller's with a direct-executor channel).
 */
final class GrpcKeyValue implements AutoCloseable {

  /**
   * Requests up to this size go over the node's session stream; larger ones as unary calls, so
   * that a big value does not hold the small requests behind it in the stream's flow-control
   * window.
   */
  static final int SESSION_MAX_BYTES = 64 * 1024;

  /**
   * One request in both of its forms: a session message and a unary call, with how to take the
   * answer out of either.
   */
  private record Call<R, T>(
      int size,
      Supplier<SessionRequest.Builder> message,
      Function<SessionResponse, R> answer,
      Function<KeyValueGrpc.KeyValueFutureStub, ListenableFuture<R>> unary,
      Function<? super R, ? extends T> convert) {}

  private final ChannelRouter router;
  private final Duration defaultTimeout;
  private final Sessions sessions;

  GrpcKeyValue(ChannelRouter router, Duration defaultTimeout) {
    this.router = Objects.requireNonNull(router, "router");
    this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    this.sessions = new Sessions(router::ringVersionSeen);
  }

  CompletableFuture<GetResult> get(ByteString key, ReadOptions options) {
    GetRequest request = GetRequest.newBuilder().setKey(key).setR(options.r()).build();
    return attempt(key, options.timeout(), true, new Call<>(request.getSerializedSize(),
        () -> SessionRequest.newBuilder().setGet(request),
        r -> r.hasGet() ? r.getGet() : null,
        stub -> stub.get(request),
        GrpcKeyValue::toResult));
  }

  CompletableFuture<Context> put(
      ByteString key, ByteString value, Context context, WriteOptions options) {
    PutRequest request = PutRequest.newBuilder()
        .setKey(key)
        .setValue(value)
        .setContext(context.byteString())
        .setW(options.w())
        .build();
    return attempt(key, options.timeout(), false, new Call<>(request.getSerializedSize(),
        () -> SessionRequest.newBuilder().setPut(request),
        r -> r.hasPut() ? r.getPut() : null,
        stub -> stub.put(request),
        response -> Context.ofByteString(response.getContext())));
  }

  CompletableFuture<Void> delete(ByteString key, Context context, WriteOptions options) {
    DeleteRequest request = DeleteRequest.newBuilder()
        .setKey(key)
        .setContext(context.byteString())
        .setW(options.w())
        .build();
    return attempt(key, options.timeout(), false, new Call<>(request.getSerializedSize(),
        () -> SessionRequest.newBuilder().setDelete(request),
        r -> r.hasDelete() ? r.getDelete() : null,
        stub -> stub.delete(request),
        response -> null));
  }

  @Override
  public void close() {
    sessions.close();
    router.close();
  }

  /**
   * Sends the call to the key's first channel; when that node cannot be reached, to the next.
   * A read moves on after any UNAVAILABLE (reads are safe to repeat); a write only when it
   * never reached the node (the connection failed, or the node ended its session without taking
   * it), so that it never runs twice. Cancelling the returned future cancels the attempt then
   * in flight.
   */
  private <R, T> CompletableFuture<T> attempt(
      ByteString key, Duration timeout, boolean idempotent, Call<R, T> call) {
    AtomicReference<CompletableFuture<T>> inFlight = new AtomicReference<>();
    CompletableFuture<T> result = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        CompletableFuture<T> current = inFlight.get();
        if (current != null) {
          current.cancel(mayInterruptIfRunning);
        }
        return cancelled;
      }
    };
    long timeoutNanos = (timeout != null ? timeout : defaultTimeout).toNanos();
    attempt(key, timeoutNanos, idempotent, call, 0, inFlight, result);
    return result;
  }

  private <R, T> void attempt(ByteString key, long timeoutNanos, boolean idempotent,
      Call<R, T> call, int index, AtomicReference<CompletableFuture<T>> inFlight,
      CompletableFuture<T> result) {
    List<io.grpc.Channel> channels = router.channelsFor(key);
    io.grpc.Channel channel = channels.get(Math.min(index, channels.size() - 1));
    CompletableFuture<T> sent = call.size() <= SESSION_MAX_BYTES && sessions.supported(channel)
        ? viaSession(channel, call, timeoutNanos)
        : unary(channel, call, timeoutNanos);
    inFlight.set(sent);
    if (result.isCancelled()) {
      sent.cancel(false); // cancelled while this attempt was made
      return;
    }
    sent.whenComplete((answer, e) -> {
      if (e == null) {
        result.complete(answer);
        return;
      }
      RingKvException failure = toException(e instanceof java.util.concurrent.CompletionException
          && e.getCause() != null ? e.getCause() : e);
      boolean unreachable = failure.code() == RingKvException.Code.UNAVAILABLE
          && (idempotent || neverSent(failure));
      if (unreachable && index + 1 < channels.size() && !result.isDone()) {
        attempt(key, timeoutNanos, idempotent, call, index + 1, inFlight, result);
      } else {
        result.completeExceptionally(failure);
      }
    });
  }

  private <R, T> CompletableFuture<T> unary(io.grpc.Channel channel, Call<R, T> call,
      long timeoutNanos) {
    KeyValueGrpc.KeyValueFutureStub stub = KeyValueGrpc.newFutureStub(channel)
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
    return bridge(call.unary().apply(stub), call.convert());
  }

  /** The call as a message on the channel's session; as a unary call if the node has none. */
  private <R, T> CompletableFuture<T> viaSession(io.grpc.Channel channel, Call<R, T> call,
      long timeoutNanos) {
    CompletableFuture<SessionResponse> sent =
        sessions.send(channel, call.message().get(), System.nanoTime() + timeoutNanos);
    // The unary call made instead when the node turns out to have no sessions.
    AtomicReference<CompletableFuture<T>> fallback = new AtomicReference<>();
    CompletableFuture<T> result = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        sent.cancel(mayInterruptIfRunning);
        CompletableFuture<T> unary = fallback.get();
        if (unary != null) {
          unary.cancel(mayInterruptIfRunning);
        }
        return cancelled;
      }
    };
    sent.whenComplete((response, error) -> {
      if (error != null) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException
            && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof ClientSession.Unsupported) {
          sessions.markUnsupported(channel);
          if (result.isDone()) {
            return; // cancelled by the caller: make no call
          }
          CompletableFuture<T> unary = unary(channel, call, timeoutNanos);
          fallback.set(unary);
          if (result.isCancelled()) {
            unary.cancel(false); // cancelled while the call was made
          }
          unary.whenComplete((v, e) -> {
            if (e != null) {
              result.completeExceptionally(e);
            } else {
              result.complete(v);
            }
          });
        } else if (cause instanceof ClientSession.NotTaken notTaken) {
          result.completeExceptionally(new RingKvException(RingKvException.Code.UNAVAILABLE,
              notTaken.getMessage(), notTaken));
        } else {
          result.completeExceptionally(toException(cause));
        }
        return;
      }
      if (response.hasError()) {
        result.completeExceptionally(new RingKvException(
            codeOf(Status.fromCodeValue(response.getError().getCode())),
            response.getError().getMessage()));
        return;
      }
      try {
        R answer = call.answer().apply(response);
        if (answer == null) {
          throw new IllegalStateException("answer is " + response.getResponseCase());
        }
        result.complete(call.convert().apply(answer));
      } catch (RuntimeException e) {
        result.completeExceptionally(
            new RingKvException(RingKvException.Code.INTERNAL, "bad response: " + e, e));
      }
    });
    return result;
  }

  /** Whether the failure says the request never reached a node, so another may run it. */
  private static boolean neverSent(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.net.ConnectException || c instanceof java.net.UnknownHostException
          || c instanceof ClientSession.NotTaken) {
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
    RingKvException.Code code = codeOf(status);
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

  private static RingKvException.Code codeOf(Status status) {
    return status.getCode() == Status.Code.OK
        ? RingKvException.Code.UNKNOWN
        : RingKvException.Code.valueOf(status.getCode().name());
  }
}
