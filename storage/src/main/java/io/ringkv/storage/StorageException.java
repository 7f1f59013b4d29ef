package io.ringkv.storage;

/**
 * An infrastructure fault of a {@link StorageEngine}: the disk, the engine's files or its lock
 * failed. Unchecked because callers cannot recover locally; the node reports the operation as
 * failed and the replica as unhealthy. The message names the operation and the directory.
 */
public final class StorageException extends RuntimeException {

  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
