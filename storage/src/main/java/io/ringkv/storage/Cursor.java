package io.ringkv.storage;

import java.util.Iterator;

/** A key-ordered iteration over a snapshot of one space. Close it to release the snapshot. */
public interface Cursor extends Iterator<Cursor.Entry>, AutoCloseable {

  /** A key and its value. The arrays belong to the caller. */
  record Entry(byte[] key, byte[] value) {}

  @Override
  void close();
}
