/**
 * The RocksDB {@link io.ringkv.storage.StorageEngine}: the only package that imports
 * {@code org.rocksdb}. Native handles, options tuning and the mapping of RocksDB errors to
 * {@link io.ringkv.storage.StorageException} stay here, so the rest of ringkv (and the simulator,
 * which runs on {@link io.ringkv.storage.InMemoryStorageEngine}) never loads the native library.
 */
package io.ringkv.storage.rocksdb;
