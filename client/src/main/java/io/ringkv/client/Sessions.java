package io.ringkv.client;

import io.grpc.Channel;
import io.ringkv.api.v1.SessionRequest;
import io.ringkv.api.v1.SessionResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * The client's {@link ClientSession}s, one per channel, opened on first use and again after one
 * ends, and the timer that keeps their requests' deadlines: one sweep every
 * {@value #SWEEP_MILLIS} ms over the requests in flight, instead of a timer per request (a
 * deadline fires up to that much late). The sweeps run only while a request is in flight: an
 * idle client does not wake up.
 */
final class Sessions implements AutoCloseable {

  static final long SWEEP_MILLIS = 10;

  private final Map<Channel, ClientSession> open = new ConcurrentHashMap<>();
  private final Set<Channel> unsupported = ConcurrentHashMap.newKeySet();
  private final LongConsumer ringVersionSeen;
  private final ScheduledExecutorService timer;
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private volatile boolean closed;

  Sessions(LongConsumer ringVersionSeen) {
    this.ringVersionSeen = ringVersionSeen;
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "ringkv-client-deadlines");
      thread.setDaemon(true);
      return thread;
    });
    this.timer = t;
  }

  /** Whether requests to this channel go over a session (false once it answered UNIMPLEMENTED). */
  boolean supported(Channel channel) {
    return !unsupported.contains(channel);
  }

  /** The node behind this channel serves no sessions: use unary calls with it from now on. */
  void markUnsupported(Channel channel) {
    unsupported.add(channel);
  }

  /**
   * Sends a request over the channel's session, opening one if there is none (or it ended).
   * Fails with {@link ClientSession.NotTaken} when the client is closed.
   */
  CompletableFuture<SessionResponse> send(
      Channel channel, SessionRequest.Builder request, long deadlineNanos) {
    for (int tries = 0; tries < 3 && !closed; tries++) {
      ClientSession session = open.get(channel);
      if (session == null || session.ended()) {
        session = open.compute(channel, (c, s) ->
            s == null || s.ended() ? new ClientSession(c, ringVersionSeen) : s);
      }
      CompletableFuture<SessionResponse> sent = session.send(request, deadlineNanos);
      if (sent != null) {
        if (!sweeping.get() && sweeping.compareAndSet(false, true)) {
          nextSweep();
        }
        return sent;
      }
      Throwable why = session.endedWith();
      if (why instanceof ClientSession.Unsupported unsupported) {
        return CompletableFuture.failedFuture(unsupported);
      }
      if (why != null && !(why instanceof ClientSession.NotTaken)) {
        // The stream failed before the request went out (e.g. the connection was refused):
        // that failure is the request's, as it would be a unary call's.
        return CompletableFuture.failedFuture(why);
      }
      // The node ended it, or it ended between the lookup and the send: open another.
    }
    return CompletableFuture.failedFuture(closed
        ? new RingKvException(RingKvException.Code.CANCELLED, "the client is closed")
        : new ClientSession.NotTaken("sessions with the node keep ending"));
  }

  private void sweep() {
    try {
      long now = System.nanoTime();
      for (Map.Entry<Channel, ClientSession> e : open.entrySet()) {
        ClientSession s = e.getValue();
        s.expire(now);
        if (s.ended()) {
          open.remove(e.getKey(), s);
        }
      }
    } finally {
      continueSweeping();
    }
  }

  /** Schedules the next sweep, unless no request is in flight. */
  private void continueSweeping() {
    if (!inFlight()) {
      sweeping.set(false);
      // A request sent since the check above saw the sweeps still running and started none.
      if (!inFlight() || !sweeping.compareAndSet(false, true)) {
        return;
      }
    }
    nextSweep();
  }

  /** Whether the deadline sweeps are running (for tests). */
  boolean sweeping() {
    return sweeping.get();
  }

  private boolean inFlight() {
    for (ClientSession s : open.values()) {
      if (s.inFlight()) {
        return true;
      }
    }
    return false;
  }

  private void nextSweep() {
    try {
      timer.schedule(this::sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // The client is closing: its sessions fail what is in flight.
    }
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    open.values().forEach(ClientSession::close);
    open.clear();
  }
}
