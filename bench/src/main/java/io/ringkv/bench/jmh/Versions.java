package io.ringkv.bench.jmh;

import io.ringkv.version.Actor;
import io.ringkv.version.VersionVector;
import io.ringkv.version.VersionedObject;

/** Builds the versions the benchmarks work on: realistic shapes from the public write path. */
final class Versions {

  static final long NOW = 1_750_000_000_000L;

  private Versions() {}

  /** Node i's actor; epochs are random 63-bit numbers in production, so make them as long. */
  static Actor actor(int i) {
    return new Actor("n" + (i + 1), (0x9E3779B97F4A7C15L * (i + 1)) >>> 1);
  }

  /**
   * An object with one sibling whose context has one entry per actor: {@code entries} nodes each
   * coordinated one write, each superseding the previous one (the steady state of a key).
   */
  static VersionedObject history(int entries, byte[] value) {
    VersionedObject o = VersionedObject.EMPTY;
    for (int i = 0; i < entries; i++) {
      o = write(o, i, value);
    }
    return o;
  }

  /** A write by actor {@code i} that saw all of {@code o}: the next version of the key. */
  static VersionedObject write(VersionedObject o, int i, byte[] value) {
    VersionVector ctx = o.context();
    return o.write(ctx, o.nextDot(actor(i), ctx, 0), value, NOW, 10);
  }

  /** A write by actor {@code i} that saw nothing: a sibling of everything stored. */
  static VersionedObject blindWrite(VersionedObject o, int i, byte[] value) {
    return o.write(VersionVector.EMPTY, o.nextDot(actor(i), VersionVector.EMPTY, 0), value,
        NOW, 10);
  }

  static byte[] value(int size) {
    byte[] v = new byte[size];
    for (int i = 0; i < size; i++) {
      v[i] = (byte) ('a' + i % 26);
    }
    return v;
  }
}
