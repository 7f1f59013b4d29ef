package io.ringkv.sim;

import io.ringkv.storage.ForwardingStorageEngine;
import io.ringkv.storage.StorageEngine;
import io.ringkv.storage.WriteBatch;
import io.ringkv.version.Sibling;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A broken replica, for {@link MutationTest}: every node's storage keeps the siblings a new
 * version superseded (as a store that appends versions and forgets to prune would), so
 * overwritten values come back as siblings. The checker it must trip is the sibling bound.
 */
final class SiblingKeepingWiring implements Wiring {

  @Override
  public StorageEngine engine(String node, StorageEngine real) {
    return new Keeping(real);
  }

  private static final class Keeping extends ForwardingStorageEngine {

    Keeping(StorageEngine real) {
      super(real);
    }

    @Override
    public void write(WriteBatch batch, Durability durability) {
      WriteBatch out = new WriteBatch();
      for (WriteBatch.Mutation m : batch.mutations()) {
        if (m.isDelete()) {
          out.delete(m.space(), m.key());
        } else if (m.space() == Space.DATA) {
          out.put(m.space(), m.key(), keepOld(delegate.get(m.space(), m.key()), m.value()));
        } else {
          out.put(m.space(), m.key(), m.value());
        }
      }
      delegate.write(out, durability);
    }

    private static byte[] keepOld(byte[] stored, byte[] incoming) {
      if (stored == null) {
        return incoming;
      }
      VersionedObject old = VersionCodec.decodeObject(stored);
      VersionedObject next = VersionCodec.decodeObject(incoming);
      List<Sibling> siblings = new ArrayList<>(next.siblings());
      Set<io.ringkv.version.Dot> dots = new TreeSet<>();
      for (Sibling s : siblings) {
        dots.add(s.dot());
      }
      for (Sibling s : old.siblings()) {
        if (dots.add(s.dot())) {
          siblings.add(s);
        }
      }
      return VersionCodec.encodeObject(
          VersionedObject.of(next.context().merge(old.context()), siblings));
    }
  }
}
