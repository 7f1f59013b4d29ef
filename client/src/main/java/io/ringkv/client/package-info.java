/**
 * The Java client of ringkv: {@link io.ringkv.client.RingKvClient} and the values it speaks in.
 *
 * <p>Owns the typed facade over the public {@code ringkv.v1.KeyValue} gRPC API: opaque
 * {@link io.ringkv.client.Context}s, sibling-aware {@link io.ringkv.client.GetResult}s, per-call
 * options, the get-resolve-put {@code update} and the mapping of gRPC statuses to
 * {@link io.ringkv.client.RingKvException}. Protobuf and gRPC types stay inside this package's
 * package-private classes ({@code GrpcKeyValue}, {@code ChannelRouter}); the public API exposes
 * neither.
 *
 * <p>Must not depend on the server, storage, ring or gossip modules, nor on the CLI.
 */
package io.ringkv.client;
