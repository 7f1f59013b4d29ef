package io.ringkv.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Loopback ports for test nodes, chosen below the kernel's ephemeral range. A port the kernel
 * hands out for {@code new ServerSocket(0)} comes from that range, and so does the local port of
 * every outgoing connection: between choosing it and a node binding it (or while a node is down
 * for a restart), a connection to some other node can take it, and the node then fails with
 * "Failed to bind". Below the range only listeners compete, and this class never hands the same
 * port out twice in one JVM. Shared with the system tests (the {@code tests} module) through
 * this module's test jar.
 */
public final class LoopbackPorts {

  private static final int LOWEST = 10_000;
  private static final Set<Integer> HANDED_OUT = new HashSet<>();
  private static final SplittableRandom RNG = new SplittableRandom();

  private LoopbackPorts() {}

  /** The first of {@code count} consecutive ports that are free now and were not handed out. */
  public static synchronized int freeRange(int count) {
    int end = ephemeralStart();
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int first = LOWEST + RNG.nextInt(end - LOWEST - count);
      boolean free = true;
      for (int p = first; p < first + count && free; p++) {
        free = !HANDED_OUT.contains(p) && bindable(p);
      }
      if (free) {
        for (int p = first; p < first + count; p++) {
          HANDED_OUT.add(p);
        }
        return first;
      }
    }
    throw new UncheckedIOException(new IOException(
        "no " + count + " consecutive free loopback ports below " + end));
  }

  public static int free() {
    return freeRange(1);
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The low end of Linux's ephemeral port range; 32768 (its default) where it cannot be read. */
  private static int ephemeralStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int low = Integer.parseInt(range.split("\\s+")[0]);
      return low > LOWEST + 1_000 ? low : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
