package io.ringkv.sim;

import io.ringkv.storage.ForwardingStorageEngine;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.WriteBatch;
import io.ringkv.version.Sibling;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.util.Comparator;
import java.util.List;

/**
 * A broken replica, for {@link MutationTest}: node n1's storage keeps only the newest sibling
 * of an object (by timestamp, last writer wins) whenever it stores one with several, but keeps
 * the whole causal context, so the dropped siblings look superseded to everyone who merges with
 * it. Other nodes are correct.
 */
final class SiblingDroppingWiring implements Wiring {

  @Override
  public StorageEngine engine(String node, StorageEngine real) {
    return node.equals("n1") ? new Dropping(real) : real;
  }

  private static final class Dropping extends ForwardingStorageEngine {

    Dropping(StorageEngine real) {
      super(real);
    }

    @Override
    public void write(WriteBatch batch, Durability durability) {
      WriteBatch out = new WriteBatch();
      for (WriteBatch.Mutation m : batch.mutations()) {
        if (m.isDelete()) {
          out.delete(m.space(), m.key());
        } else if (m.space() == Space.DATA) {
          out.put(m.space(), m.key(), keepNewest(m.value()));
        } else {
          out.put(m.space(), m.key(), m.value());
        }
      }
      delegate.write(out, durability);
    }

    private static byte[] keepNewest(byte[] encoded) {
      VersionedObject o = VersionCodec.decodeObject(encoded);
      if (o.siblings().size() <= 1) {
        return encoded;
      }
      Sibling newest = o.siblings().stream()
          .max(Comparator.comparingLong(Sibling::timestampMillis)
              .thenComparing(Sibling::dot))
          .orElseThrow();
      return VersionCodec.encodeObject(VersionedObject.of(o.context(), List.of(newest)));
    }
  }
}
