package io.ringkv.storage;

import java.util.Objects;

/**
 * An engine that passes every call to another: the base of engines that change a few calls of a
 * real one (the simulator's disk with power cuts, engines that observe or break writes in tests)
 * and override only those.
 */
public abstract class ForwardingStorageEngine implements StorageEngine {

  /** The engine every call not overridden goes to. */
  protected final StorageEngine delegate;

  protected ForwardingStorageEngine(StorageEngine delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public byte[] get(Space space, byte[] key) {
    return delegate.get(space, key);
  }

  @Override
  public void write(WriteBatch batch, Durability durability) {
    delegate.write(batch, durability);
  }

  @Override
  public Cursor scan(Space space, byte[] fromInclusive, byte[] toExclusive) {
    return delegate.scan(space, fromInclusive, toExclusive);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
