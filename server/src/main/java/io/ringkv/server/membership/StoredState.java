package io.ringkv.server.membership;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ringkv.gossip.ClusterState;
import io.ringkv.gossip.Gossiper;
import io.ringkv.internal.v1.ClusterStateMessage;
import io.ringkv.server.grpc.MembershipCodec;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.WriteBatch;
import java.nio.charset.StandardCharsets;

/**
 * The cluster state a node keeps on disk (metadata space), written synchronously before the node
 * acts on a new state, so that a restarted node rejoins with the ring it knew.
 */
public final class StoredState implements Gossiper.Persistence {

  private static final byte[] KEY = "membership/state".getBytes(StandardCharsets.UTF_8);

  private final StorageEngine engine;

  public StoredState(StorageEngine engine) {
    this.engine = engine;
  }

  /** The saved state, or null for a node that never had one. */
  public ClusterState load() {
    byte[] raw = engine.get(StorageEngine.Space.META, KEY);
    if (raw == null) {
      return null;
    }
    try {
      return MembershipCodec.decode(ClusterStateMessage.parseFrom(raw));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new IllegalStateException("the stored cluster state is unreadable: " + e.getMessage(),
          e);
    }
  }

  @Override
  public void save(ClusterState state) {
    engine.write(new WriteBatch().put(StorageEngine.Space.META, KEY,
        MembershipCodec.encode(state).toByteArray()), StorageEngine.Durability.SYNC);
  }
}
