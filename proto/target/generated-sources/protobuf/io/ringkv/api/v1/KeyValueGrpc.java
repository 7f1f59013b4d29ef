package io.ringkv.api.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * Reads and writes versioned objects, Dynamo style.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class KeyValueGrpc {

  private KeyValueGrpc() {}

  public static final java.lang.String SERVICE_NAME = "ringkv.v1.KeyValue";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<io.ringkv.api.v1.GetRequest,
      io.ringkv.api.v1.GetResponse> getGetMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Get",
      requestType = io.ringkv.api.v1.GetRequest.class,
      responseType = io.ringkv.api.v1.GetResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.ringkv.api.v1.GetRequest,
      io.ringkv.api.v1.GetResponse> getGetMethod() {
    io.grpc.MethodDescriptor<io.ringkv.api.v1.GetRequest, io.ringkv.api.v1.GetResponse> getGetMethod;
    if ((getGetMethod = KeyValueGrpc.getGetMethod) == null) {
      synchronized (KeyValueGrpc.class) {
        if ((getGetMethod = KeyValueGrpc.getGetMethod) == null) {
          KeyValueGrpc.getGetMethod = getGetMethod =
              io.grpc.MethodDescriptor.<io.ringkv.api.v1.GetRequest, io.ringkv.api.v1.GetResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Get"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.ringkv.api.v1.GetRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.ringkv.api.v1.GetResponse.getDefaultInstance()))
              .setSchemaDescriptor(new KeyValueMethodDescriptorSupplier("Get"))
              .build();
        }
      }
    }
    return getGetMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.ringkv.api.v1.PutRequest,
      io.ringkv.api.v1.PutResponse> getPutMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Put",
      requestType = io.ringkv.api.v1.PutRequest.class,
      responseType = io.ringkv.api.v1.PutResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.ringkv.api.v1.PutRequest,
      io.ringkv.api.v1.PutResponse> getPutMethod() {
    io.grpc.MethodDescriptor<io.ringkv.api.v1.PutRequest, io.ringkv.api.v1.PutResponse> getPutMethod;
    if ((getPutMethod = KeyValueGrpc.getPutMethod) == null) {
      synchronized (KeyValueGrpc.class) {
        if ((getPutMethod = KeyValueGrpc.getPutMethod) == null) {
          KeyValueGrpc.getPutMethod = getPutMethod =
              io.grpc.MethodDescriptor.<io.ringkv.api.v1.PutRequest, io.ringkv.api.v1.PutResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Put"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.ringkv.api.v1.PutRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.ringkv.api.v1.PutResponse.getDefaultInstance()))
              .setSchemaDescriptor(new KeyValueMethodDescriptorSupplier("Put"))
              .build();
        }
      }
    }
    return getPutMethod;
  }

  private static volatile io.grpc.MethodDescriptor<io.ringkv.api.v1.DeleteRequest,
      io.ringkv.api.v1.DeleteResponse> getDeleteMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Delete",
      requestType = io.ringkv.api.v1.DeleteRequest.class,
      responseType = io.ringkv.api.v1.DeleteResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<io.ringkv.api.v1.DeleteRequest,
      io.ringkv.api.v1.DeleteResponse> getDeleteMethod() {
    io.grpc.MethodDescriptor<io.ringkv.api.v1.DeleteRequest, io.ringkv.api.v1.DeleteResponse> getDeleteMethod;
    if ((getDeleteMethod = KeyValueGrpc.getDeleteMethod) == null) {
      synchronized (KeyValueGrpc.class) {
        if ((getDeleteMethod = KeyValueGrpc.getDeleteMethod) == null) {
          KeyValueGrpc.getDeleteMethod = getDeleteMethod =
              io.grpc.MethodDescriptor.<io.ringkv.api.v1.DeleteRequest, io.ringkv.api.v1.DeleteResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Delete"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.ringkv.api.v1.DeleteRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  io.ringkv.api.v1.DeleteResponse.getDefaultInstance()))
              .setSchemaDescriptor(new KeyValueMethodDescriptorSupplier("Delete"))
              .build();
        }
      }
    }
    return getDeleteMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static KeyValueStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<KeyValueStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<KeyValueStub>() {
        @java.lang.Override
        public KeyValueStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new KeyValueStub(channel, callOptions);
        }
      };
    return KeyValueStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static KeyValueBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<KeyValueBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<KeyValueBlockingV2Stub>() {
        @java.lang.Override
        public KeyValueBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new KeyValueBlockingV2Stub(channel, callOptions);
        }
      };
    return KeyValueBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static KeyValueBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<KeyValueBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<KeyValueBlockingStub>() {
        @java.lang.Override
        public KeyValueBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new KeyValueBlockingStub(channel, callOptions);
        }
      };
    return KeyValueBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static KeyValueFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<KeyValueFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<KeyValueFutureStub>() {
        @java.lang.Override
        public KeyValueFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new KeyValueFutureStub(channel, callOptions);
        }
      };
    return KeyValueFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * Reads and writes versioned objects, Dynamo style.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Every causally concurrent version (sibling) of the key, and one context
     * that covers all of them.
     * </pre>
     */
    default void get(io.ringkv.api.v1.GetRequest request,
        io.grpc.stub.StreamObserver<io.ringkv.api.v1.GetResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetMethod(), responseObserver);
    }

    /**
     * <pre>
     * Writes a value that supersedes exactly what `context` saw. An empty
     * context is a blind write: it becomes a sibling of whatever is stored.
     * </pre>
     */
    default void put(io.ringkv.api.v1.PutRequest request,
        io.grpc.stub.StreamObserver<io.ringkv.api.v1.PutResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getPutMethod(), responseObserver);
    }

    /**
     * <pre>
     * A put of a tombstone with the given context.
     * </pre>
     */
    default void delete(io.ringkv.api.v1.DeleteRequest request,
        io.grpc.stub.StreamObserver<io.ringkv.api.v1.DeleteResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service KeyValue.
   * <pre>
   * Reads and writes versioned objects, Dynamo style.
   * </pre>
   */
  public static abstract class KeyValueImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return KeyValueGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service KeyValue.
   * <pre>
   * Reads and writes versioned objects, Dynamo style.
   * </pre>
   */
  public static final class KeyValueStub
      extends io.grpc.stub.AbstractAsyncStub<KeyValueStub> {
    private KeyValueStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected KeyValueStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new KeyValueStub(channel, callOptions);
    }

    /**
     * <pre>
     * Every causally concurrent version (sibling) of the key, and one context
     * that covers all of them.
     * </pre>
     */
    public void get(io.ringkv.api.v1.GetRequest request,
        io.grpc.stub.StreamObserver<io.ringkv.api.v1.GetResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Writes a value that supersedes exactly what `context` saw. An empty
     * context is a blind write: it becomes a sibling of whatever is stored.
     * </pre>
     */
    public void put(io.ringkv.api.v1.PutRequest request,
        io.grpc.stub.StreamObserver<io.ringkv.api.v1.PutResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getPutMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * A put of a tombstone with the given context.
     * </pre>
     */
    public void delete(io.ringkv.api.v1.DeleteRequest request,
        io.grpc.stub.StreamObserver<io.ringkv.api.v1.DeleteResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service KeyValue.
   * <pre>
   * Reads and writes versioned objects, Dynamo style.
   * </pre>
   */
  public static final class KeyValueBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<KeyValueBlockingV2Stub> {
    private KeyValueBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected KeyValueBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new KeyValueBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Every causally concurrent version (sibling) of the key, and one context
     * that covers all of them.
     * </pre>
     */
    public io.ringkv.api.v1.GetResponse get(io.ringkv.api.v1.GetRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Writes a value that supersedes exactly what `context` saw. An empty
     * context is a blind write: it becomes a sibling of whatever is stored.
     * </pre>
     */
    public io.ringkv.api.v1.PutResponse put(io.ringkv.api.v1.PutRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getPutMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A put of a tombstone with the given context.
     * </pre>
     */
    public io.ringkv.api.v1.DeleteResponse delete(io.ringkv.api.v1.DeleteRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service KeyValue.
   * <pre>
   * Reads and writes versioned objects, Dynamo style.
   * </pre>
   */
  public static final class KeyValueBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<KeyValueBlockingStub> {
    private KeyValueBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected KeyValueBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new KeyValueBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Every causally concurrent version (sibling) of the key, and one context
     * that covers all of them.
     * </pre>
     */
    public io.ringkv.api.v1.GetResponse get(io.ringkv.api.v1.GetRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Writes a value that supersedes exactly what `context` saw. An empty
     * context is a blind write: it becomes a sibling of whatever is stored.
     * </pre>
     */
    public io.ringkv.api.v1.PutResponse put(io.ringkv.api.v1.PutRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getPutMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A put of a tombstone with the given context.
     * </pre>
     */
    public io.ringkv.api.v1.DeleteResponse delete(io.ringkv.api.v1.DeleteRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service KeyValue.
   * <pre>
   * Reads and writes versioned objects, Dynamo style.
   * </pre>
   */
  public static final class KeyValueFutureStub
      extends io.grpc.stub.AbstractFutureStub<KeyValueFutureStub> {
    private KeyValueFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected KeyValueFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new KeyValueFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Every causally concurrent version (sibling) of the key, and one context
     * that covers all of them.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<io.ringkv.api.v1.GetResponse> get(
        io.ringkv.api.v1.GetRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Writes a value that supersedes exactly what `context` saw. An empty
     * context is a blind write: it becomes a sibling of whatever is stored.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<io.ringkv.api.v1.PutResponse> put(
        io.ringkv.api.v1.PutRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getPutMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * A put of a tombstone with the given context.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<io.ringkv.api.v1.DeleteResponse> delete(
        io.ringkv.api.v1.DeleteRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_GET = 0;
  private static final int METHODID_PUT = 1;
  private static final int METHODID_DELETE = 2;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AsyncService serviceImpl;
    private final int methodId;

    MethodHandlers(AsyncService serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_GET:
          serviceImpl.get((io.ringkv.api.v1.GetRequest) request,
              (io.grpc.stub.StreamObserver<io.ringkv.api.v1.GetResponse>) responseObserver);
          break;
        case METHODID_PUT:
          serviceImpl.put((io.ringkv.api.v1.PutRequest) request,
              (io.grpc.stub.StreamObserver<io.ringkv.api.v1.PutResponse>) responseObserver);
          break;
        case METHODID_DELETE:
          serviceImpl.delete((io.ringkv.api.v1.DeleteRequest) request,
              (io.grpc.stub.StreamObserver<io.ringkv.api.v1.DeleteResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getGetMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.ringkv.api.v1.GetRequest,
              io.ringkv.api.v1.GetResponse>(
                service, METHODID_GET)))
        .addMethod(
          getPutMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.ringkv.api.v1.PutRequest,
              io.ringkv.api.v1.PutResponse>(
                service, METHODID_PUT)))
        .addMethod(
          getDeleteMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              io.ringkv.api.v1.DeleteRequest,
              io.ringkv.api.v1.DeleteResponse>(
                service, METHODID_DELETE)))
        .build();
  }

  private static abstract class KeyValueBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    KeyValueBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return io.ringkv.api.v1.KvProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("KeyValue");
    }
  }

  private static final class KeyValueFileDescriptorSupplier
      extends KeyValueBaseDescriptorSupplier {
    KeyValueFileDescriptorSupplier() {}
  }

  private static final class KeyValueMethodDescriptorSupplier
      extends KeyValueBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    KeyValueMethodDescriptorSupplier(java.lang.String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (KeyValueGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new KeyValueFileDescriptorSupplier())
              .addMethod(getGetMethod())
              .addMethod(getPutMethod())
              .addMethod(getDeleteMethod())
              .build();
        }
      }
    }
    return result;
  }
}
