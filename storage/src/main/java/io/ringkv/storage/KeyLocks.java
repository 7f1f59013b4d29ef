package io.ringkv.storage;

import java.util.concurrent.locks.ReentrantLock;

/** Striped locks that make a read-modify-write of one storage key atomic. */
final class KeyLocks {

  private static final int STRIPES = 1024; // power of two

  private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

  KeyLocks() {
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  ReentrantLock lockFor(byte[] storageKey, int hashOffset) {
    int h = 0;
    for (int i = hashOffset; i < Math.min(storageKey.length, hashOffset + 4); i++) {
      h = h * 31 + storageKey[i];
    }
    h ^= h >>> 16;
    return locks[h & (STRIPES - 1)];
  }
}
