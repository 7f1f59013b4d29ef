package io.ringkv.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ringkv.api.v1.DeleteRequest;
import io.ringkv.api.v1.DeleteResponse;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.GetResponse;
import io.ringkv.api.v1.KeyValueGrpc;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.api.v1.PutResponse;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A test double of the KeyValue service for the client's and the CLI's edges (not a model of the
 * real server): a TreeMap of keys to siblings, a context that is the key's version number, and a
 * record of every request and the deadline it came with.
 *
 * <p>Put with the key's current context replaces its values; any other context (empty, stale)
 * adds a sibling; more than {@link #MAX_SIBLINGS} is FAILED_PRECONDITION. Delete with the current
 * context clears the values (the version stays, as a tombstone's would).
 */
public final class FakeKeyValue extends KeyValueGrpc.KeyValueImplBase {

  public static final int MAX_SIBLINGS = 3;

  private record Entry(List<ByteString> values, long version) {}

  private final Map<ByteString, Entry> store =
      new TreeMap<>(ByteString.unsignedLexicographicalComparator());
  private final List<Message> requests = new ArrayList<>();
  private final List<Deadline> deadlines = new ArrayList<>();
  private final Deque<Status> failures = new ArrayDeque<>();
  private long lastVersion;

  /** Every request so far, in order. */
  public synchronized List<Message> requests() {
    return List.copyOf(requests);
  }

  /** The last request, cast to its type. */
  public synchronized <T extends Message> T lastRequest(Class<T> type) {
    return type.cast(requests.get(requests.size() - 1));
  }

  /** The deadline of every call so far (null where a call had none). */
  public synchronized List<Deadline> deadlines() {
    return new ArrayList<>(deadlines);
  }

  /** The next call fails with {@code status} (after being recorded). */
  public synchronized void failNext(Status status) {
    failures.add(status);
  }

  /** Stores siblings directly, as concurrent writes elsewhere would have. */
  public synchronized void seed(String key, String... values) {
    List<ByteString> list = new ArrayList<>();
    for (String value : values) {
      list.add(ByteString.copyFromUtf8(value));
    }
    store.put(ByteString.copyFromUtf8(key), new Entry(List.copyOf(list), ++lastVersion));
  }

  /** The stored values of {@code key} as UTF-8 strings. */
  public synchronized List<String> values(String key) {
    Entry entry = store.get(ByteString.copyFromUtf8(key));
    return entry == null ? List.of() : entry.values.stream().map(ByteString::toStringUtf8).toList();
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> response) {
    GetResponse reply;
    synchronized (this) {
      if (fails(request, request.getKey(), ByteString.EMPTY, response)) {
        return;
      }
      Entry entry = store.get(request.getKey());
      reply = entry == null
          ? GetResponse.getDefaultInstance()
          : GetResponse.newBuilder()
              .addAllValues(entry.values)
              .setContext(context(entry.version))
              .build();
    }
    reply(response, reply);
  }

  @Override
  public void put(PutRequest request, StreamObserver<PutResponse> response) {
    long version;
    synchronized (this) {
      if (fails(request, request.getKey(), request.getContext(), response)) {
        return;
      }
      Entry entry = store.get(request.getKey());
      List<ByteString> values = new ArrayList<>();
      if (entry != null && !request.getContext().equals(context(entry.version))) {
        values.addAll(entry.values);
      }
      values.add(request.getValue());
      if (values.size() > MAX_SIBLINGS) {
        response.onError(Status.FAILED_PRECONDITION
            .withDescription("too many siblings: " + values.size() + "; resolve first")
            .asRuntimeException());
        return;
      }
      version = ++lastVersion;
      store.put(request.getKey(), new Entry(List.copyOf(values), version));
    }
    reply(response, PutResponse.newBuilder().setContext(context(version)).build());
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> response) {
    synchronized (this) {
      if (fails(request, request.getKey(), request.getContext(), response)) {
        return;
      }
      Entry entry = store.get(request.getKey());
      if (entry != null && request.getContext().equals(context(entry.version))) {
        store.put(request.getKey(), new Entry(List.of(), entry.version));
      }
    }
    reply(response, DeleteResponse.getDefaultInstance());
  }

  /** Records the call; true if it was answered with an error. */
  private boolean fails(
      Message request, ByteString key, ByteString context, StreamObserver<?> response) {
    requests.add(request);
    deadlines.add(io.grpc.Context.current().getDeadline());
    Status failure = failures.poll();
    if (failure == null && key.isEmpty()) {
      failure = Status.INVALID_ARGUMENT.withDescription("key must not be empty");
    } else if (failure == null && !context.isEmpty() && context.size() != Long.BYTES) {
      failure = Status.INVALID_ARGUMENT.withDescription("malformed context");
    }
    if (failure != null) {
      response.onError(failure.asRuntimeException());
      return true;
    }
    return false;
  }

  private static ByteString context(long version) {
    return ByteString.copyFrom(ByteBuffer.allocate(Long.BYTES).putLong(version).array());
  }

  private static <T> void reply(StreamObserver<T> response, T reply) {
    response.onNext(reply);
    response.onCompleted();
  }
}
