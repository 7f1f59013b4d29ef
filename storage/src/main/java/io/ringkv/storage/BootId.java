package io.ringkv.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * The identity of this boot of the machine, which tells {@link NodeIdentity} whether the page
 * cache (and the writes it held unsynced) survived since the node last started.
 */
public final class BootId {

  private static final Path LINUX = Path.of("/proc/sys/kernel/random/boot_id");

  private BootId() {}

  /**
   * Linux's boot id (a new random one at every boot, the same in every container of the host).
   * Elsewhere, or if it cannot be read, an id of this process alone: every start then counts as
   * a start after a reboot, the safe side.
   */
  public static String current() {
    try {
      String id = Files.readString(LINUX, StandardCharsets.US_ASCII).trim();
      if (!id.isEmpty()) {
        return id;
      }
    } catch (IOException | SecurityException | UnsupportedOperationException e) {
      // fall through
    }
    return "process-" + UUID.randomUUID();
  }
}
