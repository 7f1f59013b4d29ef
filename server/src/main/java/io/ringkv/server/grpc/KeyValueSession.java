package io.ringkv.server.grpc;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.SessionError;
import io.ringkv.api.v1.SessionRequest;
import io.ringkv.api.v1.SessionResponse;
import io.ringkv.server.coordinator.KvException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One client's {@code KeyValue.Session} stream: each request is handed to the coordinator as it
 * arrives and answered, with its id, when it completes, in whatever order they complete.
 *
 * <p>Bounded: the session takes at most {@link #WINDOW} requests at a time (it asks gRPC for
 * more messages only as answers go out, and only while the client reads its answers, so a
 * client that stops reading stops being served rather than filling the node's memory).
 *
 * <p>Ending: when the client half-closes, or when the node {@linkplain #stop stops}, the session
 * answers every request it has taken and then completes the stream. Requests that arrive while
 * it stops are not taken: they stay unanswered, and the client learns from the end of the stream
 * that they never ran.
 *
 * <p>Answers are sent under the session's lock: gRPC's observer is not thread-safe, and answers
 * complete on the transport threads and the storage threads alike.
 */
final class KeyValueSession implements StreamObserver<SessionRequest> {

  /** Requests one session may have open on the node. */
  static final int WINDOW = 256;

  private final KeyValueService service;
  private final ServerCallStreamObserver<SessionResponse> call;
  private final LongSupplier ringVersion;
  private final Consumer<KeyValueSession> onEnd;

  // Guarded by this.
  private int open; // taken, not yet answered
  private int owed; // answered, the next message not yet requested in their place
  private boolean halfClosed;
  private boolean stopping;
  private boolean ended;

  KeyValueSession(KeyValueService service, ServerCallStreamObserver<SessionResponse> call,
      LongSupplier ringVersion, Consumer<KeyValueSession> onEnd) {
    this.service = service;
    this.call = call;
    this.ringVersion = ringVersion;
    this.onEnd = onEnd;
    call.disableAutoRequest();
    call.setOnReadyHandler(this::onReady);
    // Without a cancel handler, gRPC throws from onNext once the client has cancelled.
    call.setOnCancelHandler(() -> onError(null));
    call.request(WINDOW);
  }

  @Override
  public void onNext(SessionRequest request) {
    long id = request.getId();
    synchronized (this) {
      if (ended || stopping) {
        return; // not taken: the end of the stream tells the client
      }
      open++;
    }
    try {
      switch (request.getRequestCase()) {
        case GET -> answerWhenDone(id, service.get(request.getGet()), (b, r) -> b.setGet(r));
        case PUT -> answerWhenDone(id, service.put(request.getPut()), (b, r) -> b.setPut(r));
        case DELETE ->
            answerWhenDone(id, service.delete(request.getDelete()), (b, r) -> b.setDelete(r));
        case REQUEST_NOT_SET -> answer(id, null, null,
            KvException.invalid("request: none of get, put, delete is set"));
      }
    } catch (RuntimeException e) {
      answer(id, null, null, e); // taken, so answered: a session must not wait for it forever
    }
  }

  private <R> void answerWhenDone(
      long id, CompletableFuture<R> future, BiConsumer<SessionResponse.Builder, R> fill) {
    future.whenComplete((r, e) -> answer(id, r, fill, e));
  }

  private <R> void answer(
      long id, R result, BiConsumer<SessionResponse.Builder, R> fill, Throwable error) {
    SessionResponse.Builder b =
        SessionResponse.newBuilder().setId(id).setRingVersion(ringVersion.getAsLong());
    if (error != null) {
      Status s = Statuses.toStatus(error);
      b.setError(SessionError.newBuilder()
          .setCode(s.getCode().value())
          .setMessage(s.getDescription() == null ? "" : s.getDescription()));
    } else {
      fill.accept(b, result);
    }
    SessionResponse response = b.build();
    synchronized (this) {
      if (ended) {
        return;
      }
      open--;
      call.onNext(response);
      if (!stopping && !halfClosed) {
        // Asking for messages from a storage thread posts a task to the transport thread: ask
        // in batches, a quarter of the window at a time.
        owed++;
        if (owed >= WINDOW / 4 && call.isReady()) {
          call.request(owed);
          owed = 0;
        }
      }
      endIfDone();
    }
  }

  private synchronized void onReady() {
    if (owed > 0 && !ended && !stopping && !halfClosed) {
      call.request(owed);
      owed = 0;
    }
  }

  /** The node is stopping: take nothing more, answer what was taken, then end the stream. */
  synchronized void stop() {
    stopping = true;
    endIfDone();
  }

  @Override
  public synchronized void onCompleted() {
    halfClosed = true;
    endIfDone();
  }

  @Override
  public void onError(Throwable t) {
    // The client cancelled, or the connection is gone: nothing can be answered any more.
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
    }
    onEnd.accept(this);
  }

  private void endIfDone() {
    if (!ended && open == 0 && (halfClosed || stopping)) {
      ended = true;
      call.onCompleted();
      onEnd.accept(this);
    }
  }
}
