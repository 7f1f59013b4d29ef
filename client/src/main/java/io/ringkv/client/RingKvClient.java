package io.ringkv.client;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;

/**
 * A client of a ringkv cluster. Thread-safe; build one per application and {@link #close()} it.
 *
 * <pre>{@code
 * try (RingKvClient client = RingKvClient.builder().target("127.0.0.1:7070").build()) {
 *   GetResult read = client.get("cart:42");
 *   client.put("cart:42", "apples", read.context()); // supersedes what the read saw
 * }
 * }</pre>
 *
 * <p>The asynchronous methods are the API; each blocking method waits for its asynchronous twin
 * and throws its {@link RingKvException}. Futures complete on a gRPC thread: chain blocking work
 * with an executor of your own. Every call has a deadline: the options' timeout, else the client's
 * {@linkplain Builder#defaultTimeout default timeout}.
 *
 * <p>Built with a {@linkplain Builder#target target}, the client routes for itself: it fetches
 * the ring from that node and sends each key straight to one of its home replicas, moving to the
 * next one only when a node cannot be reached (a read after any UNAVAILABLE, a write only when
 * the connection failed, so that no write runs twice). Otherwise nothing is retried.
 *
 * <p>String keys and values are encoded as UTF-8.
 */
public final class RingKvClient implements AutoCloseable {

  /** The default deadline of every call. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private final GrpcKeyValue kv;
  private final SiblingResolver defaultResolver;
  private final ClientLoops loops;

  private RingKvClient(GrpcKeyValue kv, SiblingResolver defaultResolver, ClientLoops loops) {
    this.kv = kv;
    this.defaultResolver = defaultResolver;
    this.loops = loops;
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- asynchronous -------------------------------------------------------------------------

  /** Every sibling of {@code key} and the context covering them; no values if not found. */
  public CompletableFuture<GetResult> getAsync(byte[] key, ReadOptions options) {
    return kv.get(bytes(key, "key"), Objects.requireNonNull(options, "options"));
  }

  /**
   * Writes {@code value}, superseding exactly the versions {@code context} covers; with
   * {@link Context#EMPTY} a blind write that becomes a sibling. Completes with the new context.
   */
  public CompletableFuture<Context> putAsync(
      byte[] key, byte[] value, Context context, WriteOptions options) {
    return kv.put(
        bytes(key, "key"),
        bytes(value, "value"),
        Objects.requireNonNull(context, "context"),
        Objects.requireNonNull(options, "options"));
  }

  /** Deletes the versions {@code context} covers (writes a tombstone with that context). */
  public CompletableFuture<Void> deleteAsync(byte[] key, Context context, WriteOptions options) {
    return kv.delete(
        bytes(key, "key"),
        Objects.requireNonNull(context, "context"),
        Objects.requireNonNull(options, "options"));
  }

  /**
   * Read, resolve, modify, write, as one call: reads {@code key}; if it has siblings, merges them
   * with {@code resolver}; applies {@code change} to the value ({@code null} if not found); writes
   * the result with the read's context, so that it supersedes every version the read saw.
   *
   * <p>If {@code change} returns {@code null} the key is deleted with that context (nothing is
   * written if it was not found either) and the future completes with {@link Context#EMPTY}.
   * Otherwise it completes with the written version's context.
   *
   * <p><b>Nothing is retried.</b> A failure of the read or the write completes the future
   * exceptionally, and so does an exception from {@code resolver} or {@code change}. A write that
   * raced with another client's is not a failure in Dynamo: both become siblings, for the next
   * update to resolve. Uses the cluster's default r and w and the client's default timeout.
   */
  public CompletableFuture<Context> updateAsync(
      byte[] key, UnaryOperator<byte[]> change, SiblingResolver resolver) {
    ByteString k = bytes(key, "key");
    Objects.requireNonNull(change, "change");
    Objects.requireNonNull(resolver, "resolver");
    return kv.get(k, ReadOptions.DEFAULTS).thenCompose(read -> {
      byte[] current = switch (read.values().size()) {
        case 0 -> null;
        case 1 -> read.values().get(0).clone();
        default -> Objects.requireNonNull(
            resolver.resolve(read.values()), "SiblingResolver returned null").clone();
      };
      byte[] next = change.apply(current);
      if (next != null) {
        return kv.put(k, ByteString.copyFrom(next), read.context(), WriteOptions.DEFAULTS);
      }
      if (current == null) {
        return CompletableFuture.completedFuture(Context.EMPTY);
      }
      return kv.delete(k, read.context(), WriteOptions.DEFAULTS).thenApply(done -> Context.EMPTY);
    });
  }

  // ---- blocking -----------------------------------------------------------------------------

  public GetResult get(byte[] key) {
    return get(key, ReadOptions.DEFAULTS);
  }

  public GetResult get(byte[] key, ReadOptions options) {
    return await(getAsync(key, options));
  }

  public GetResult get(String key) {
    return get(utf8(key, "key"), ReadOptions.DEFAULTS);
  }

  public GetResult get(String key, ReadOptions options) {
    return get(utf8(key, "key"), options);
  }

  public Context put(byte[] key, byte[] value, Context context) {
    return put(key, value, context, WriteOptions.DEFAULTS);
  }

  public Context put(byte[] key, byte[] value, Context context, WriteOptions options) {
    return await(putAsync(key, value, context, options));
  }

  public Context put(String key, String value, Context context) {
    return put(utf8(key, "key"), utf8(value, "value"), context, WriteOptions.DEFAULTS);
  }

  public Context put(String key, String value, Context context, WriteOptions options) {
    return put(utf8(key, "key"), utf8(value, "value"), context, options);
  }

  public void delete(byte[] key, Context context) {
    delete(key, context, WriteOptions.DEFAULTS);
  }

  public void delete(byte[] key, Context context, WriteOptions options) {
    await(deleteAsync(key, context, options));
  }

  public void delete(String key, Context context) {
    delete(utf8(key, "key"), context, WriteOptions.DEFAULTS);
  }

  /** {@link #updateAsync}, waiting; exceptions from {@code change} or the resolver propagate. */
  public Context update(byte[] key, UnaryOperator<byte[]> change, SiblingResolver resolver) {
    return await(updateAsync(key, change, resolver));
  }

  /** {@link #update(byte[], UnaryOperator, SiblingResolver)} with the builder's resolver. */
  public Context update(byte[] key, UnaryOperator<byte[]> change) {
    return update(key, change, defaultResolver);
  }

  /** Shuts down the channel the client built (not one {@linkplain Builder#channel given}). */
  @Override
  public void close() {
    kv.close();
    if (loops != null) {
      loops.close();
    }
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new RingKvException(RingKvException.Code.CANCELLED, "interrupted", e);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    } catch (CancellationException e) {
      throw new RingKvException(RingKvException.Code.CANCELLED, "cancelled", e);
    }
  }

  private static RuntimeException unwrap(Throwable cause) {
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return new RingKvException(RingKvException.Code.UNKNOWN, String.valueOf(cause), cause);
  }

  private static ByteString bytes(byte[] bytes, String name) {
    return ByteString.copyFrom(Objects.requireNonNull(bytes, name));
  }

  private static byte[] utf8(String s, String name) {
    return Objects.requireNonNull(s, name).getBytes(StandardCharsets.UTF_8);
  }

  /** Builds a {@link RingKvClient}: give exactly one of {@link #target} and {@link #channel}. */
  public static final class Builder {
    private String target;
    private Channel channel;
    private Duration defaultTimeout = DEFAULT_TIMEOUT;
    private SiblingResolver defaultResolver = SiblingResolver.refusing();
    private boolean routing = true;
    private int networkThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    private Builder() {}

    /** The node to talk to, {@code host:port} (any gRPC target); plaintext. */
    public Builder target(String target) {
      this.target = Objects.requireNonNull(target, "target");
      return this;
    }

    /**
     * A ready channel (in-process in tests, or one with TLS and interceptors). The caller keeps
     * ownership: {@link RingKvClient#close()} does not shut it down.
     */
    public Builder channel(Channel channel) {
      this.channel = Objects.requireNonNull(channel, "channel");
      return this;
    }

    /** The deadline of calls whose options give no timeout; default 5 seconds. */
    public Builder defaultTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
      this.defaultTimeout = timeout;
      return this;
    }

    /** The resolver of {@link RingKvClient#update(byte[], UnaryOperator)}; default refuses. */
    public Builder defaultResolver(SiblingResolver resolver) {
      this.defaultResolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /**
     * Whether a client built with {@link #target} routes each key to its replicas (default) or
     * sends everything to the target node, which forwards.
     */
    public Builder routing(boolean routing) {
      this.routing = routing;
      return this;
    }

    /**
     * The Netty event-loop threads of the connections a client built with {@link #target} opens,
     * shared by them; default half the cores, at least 1. One loop thread carries tens of
     * thousands of calls a second; every thread more than the calls need costs wake-ups.
     */
    public Builder networkThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("networkThreads must be at least 1: " + threads);
      }
      this.networkThreads = threads;
      return this;
    }

    public RingKvClient build() {
      if ((target == null) == (channel == null)) {
        throw new IllegalStateException("give exactly one of target(...) and channel(...)");
      }
      if (channel != null) {
        return new RingKvClient(
            new GrpcKeyValue(ChannelRouter.fixed(channel, false), defaultTimeout),
            defaultResolver, null);
      }
      ClientLoops loops = new ClientLoops(networkThreads);
      ChannelRouter router = routing
          ? new RingRouter(target, loops::open)
          : ChannelRouter.fixed(loops.open(target), true);
      return new RingKvClient(new GrpcKeyValue(router, defaultTimeout), defaultResolver, loops);
    }
  }
}
