package io.ringkv.server.antientropy;

import io.ringkv.server.antientropy.AntiEntropyPeer.ExchangeId;
import io.ringkv.server.antientropy.AntiEntropyPeer.KeyHash;
import io.ringkv.server.antientropy.AntiEntropyPeer.KeyObject;
import io.ringkv.server.antientropy.AntiEntropyPeer.Page;
import io.ringkv.server.antientropy.AntiEntropyPeer.Synced;
import io.ringkv.server.coordinator.KvException;
import io.ringkv.storage.VersionedStore;
import io.ringkv.version.VersionCodec;
import io.ringkv.version.VersionedObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One exchange of a partition, run by this node (the initiator) with one peer, as a chain of
 * asynchronous steps (no thread waits):
 *
 * <ol>
 *   <li>compare tree nodes level by level from the root, asking the peer only for the children of
 *       nodes that differ (at most {@value #MAX_INDICES_PER_CALL} per call);
 *   <li>for the differing leaves, page through the keys and their hashes on both sides in
 *       storage-key order and pick the keys that differ (missing on one side or other contents);
 *   <li>sync those keys in batches: send this node's objects, the peer merges them by vector clock
 *       and answers with its result, which this node merges in turn; both then hold the union.
 *       Batches are rate-limited (keys per second, all exchanges of the node together).
 * </ol>
 *
 * <p>Every peer call has a deadline (the transport's); a failure ends the exchange as failed, with
 * what it synced kept: merges are idempotent, so the next exchange simply finds less to do. Local
 * hashes are read when the peer's answer arrives, so writes racing with the exchange can only
 * cause a spurious descent or a key synced twice, never a wrong merge.
 */
final class Exchange {

  static final int MAX_INDICES_PER_CALL = 4096;
  static final int MAX_LEAVES_PER_PAGE = 256;
  static final int MAX_KEYS_PER_PAGE = 1_000;
  static final int MAX_PAGE_BYTES = 512 * 1024;
  static final int MAX_SYNC_KEYS = 64;
  static final int MAX_SYNC_BYTES = 512 * 1024;

  private final AntiEntropy node;
  private final int partition;
  private final String peerId;
  private final AntiEntropyPeer peer;
  private final ExchangeId id;
  private final int leaves;
  private long nodesCompared;
  private long leavesDiffering;
  private long keysCompared;
  private long keysDiffering;
  private long keysRepaired;

  Exchange(AntiEntropy node, int partition, String peerId, AntiEntropyPeer peer, ExchangeId id) {
    this.node = node;
    this.partition = partition;
    this.peerId = peerId;
    this.peer = peer;
    this.id = id;
    this.leaves = node.trees().shape().leaves();
  }

  CompletableFuture<ExchangeResult> run() {
    long start = node.clock().monotonicNanos();
    CompletableFuture<ExchangeResult> out = new CompletableFuture<>();
    CompletableFuture<Void> work;
    try {
      MerkleTree tree = tree();
      work = descend(tree.rootLevel(), List.of(0))
          .thenCompose(differing -> {
            leavesDiffering = differing.size();
            return leafBatches(differing, 0);
          });
    } catch (RuntimeException e) {
      work = CompletableFuture.failedFuture(e);
    }
    work.whenComplete((x, e) -> {
      long millis = (node.clock().monotonicNanos() - start) / 1_000_000;
      Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      out.complete(new ExchangeResult(partition, peerId,
          t == null ? ExchangeResult.Outcome.COMPLETED : ExchangeResult.Outcome.FAILED,
          t == null ? "" : String.valueOf(t.getMessage()), nodesCompared, leavesDiffering,
          keysCompared, keysDiffering, keysRepaired, 0, millis));
    });
    return out;
  }

  /** The partition's tree now (a rebuild may have replaced it since the exchange began). */
  private MerkleTree tree() {
    MerkleTree t = node.trees().ready(partition);
    if (t == null) {
      throw new KvException(KvException.Code.FAILED_PRECONDITION,
          "this node no longer has a tree of partition " + partition);
    }
    return t;
  }

  // ------------------------------------------------------------------ 1. the trees

  /** The differing leaves under the given nodes of {@code level}, which may differ. */
  private CompletableFuture<List<Integer>> descend(int level, List<Integer> indices) {
    if (indices.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return remoteHashes(level, indices, 0, new long[indices.size()]).thenCompose(remote -> {
      MerkleTree tree = tree();
      List<Integer> differing = new ArrayList<>();
      for (int i = 0; i < remote.length; i++) {
        nodesCompared++;
        if (tree.hash(level, indices.get(i)) != remote[i]) {
          differing.add(indices.get(i));
        }
      }
      if (level == 0 || differing.isEmpty()) {
        return CompletableFuture.completedFuture(level == 0 ? differing : List.of());
      }
      return descend(level - 1, MerkleTree.children(tree.width(level - 1), differing));
    });
  }

  private CompletableFuture<long[]> remoteHashes(int level, List<Integer> indices, int from,
      long[] into) {
    if (from >= indices.size()) {
      return CompletableFuture.completedFuture(into);
    }
    int to = Math.min(indices.size(), from + MAX_INDICES_PER_CALL);
    int[] chunk = new int[to - from];
    for (int i = from; i < to; i++) {
      chunk[i - from] = indices.get(i);
    }
    return peer.hashes(id, partition, leaves, level, chunk).thenCompose(h -> {
      if (h.length != chunk.length) {
        throw new KvException(KvException.Code.INTERNAL, "peer " + peerId + " answered "
            + h.length + " hashes for " + chunk.length + " nodes");
      }
      System.arraycopy(h, 0, into, from, h.length);
      return remoteHashes(level, indices, to, into);
    });
  }

  // ------------------------------------------------------------------ 2. the keys of leaves

  private CompletableFuture<Void> leafBatches(List<Integer> differing, int from) {
    if (from >= differing.size()) {
      return CompletableFuture.completedFuture(null);
    }
    int to = Math.min(differing.size(), from + MAX_LEAVES_PER_PAGE);
    int[] batch = differing.subList(from, to).stream().mapToInt(Integer::intValue).toArray();
    return pages(batch, null).thenCompose(x -> leafBatches(differing, to));
  }

  /**
   * Compares one page of keys of the leaves after {@code after}: both sides read at most a page;
   * the keys up to the smaller last key of a side that had more are compared, and the next page
   * starts after it.
   */
  private CompletableFuture<Void> pages(int[] batch, byte[] after) {
    CompletableFuture<Page> local = CompletableFuture.supplyAsync(
        () -> node.trees().leafKeys(partition, batch, after, MAX_KEYS_PER_PAGE, MAX_PAGE_BYTES),
        node.storage());
    return peer.leafKeys(id, partition, leaves, batch, after, MAX_KEYS_PER_PAGE)
        .thenCombine(local, (remote, mine) -> {
          byte[] bound = null;
          if (remote.truncated() && !remote.keys().isEmpty()) {
            bound = last(remote);
          }
          if (mine.truncated() && !mine.keys().isEmpty()
              && (bound == null || Arrays.compareUnsigned(last(mine), bound) < 0)) {
            bound = last(mine);
          }
          List<byte[]> differing = differing(mine.keys(), remote.keys(), bound);
          keysDiffering += differing.size();
          byte[] next = bound;
          return syncAll(differing, 0).thenCompose(
              x -> next == null ? CompletableFuture.<Void>completedFuture(null)
                  : pages(batch, next));
        })
        .thenCompose(f -> f);
  }

  private static byte[] last(Page p) {
    return p.keys().get(p.keys().size() - 1).storageKey();
  }

  /** Storage keys (up to {@code bound}, inclusive; null: all) present on one side only or with
   * other hashes. Both lists are in storage-key order. */
  private List<byte[]> differing(List<KeyHash> mine, List<KeyHash> theirs, byte[] bound) {
    List<byte[]> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < mine.size() || j < theirs.size()) {
      KeyHash a = i < mine.size() ? mine.get(i) : null;
      KeyHash b = j < theirs.size() ? theirs.get(j) : null;
      int c = a == null ? 1 : b == null ? -1
          : Arrays.compareUnsigned(a.storageKey(), b.storageKey());
      byte[] key = c <= 0 ? a.storageKey() : b.storageKey();
      if (bound != null && Arrays.compareUnsigned(key, bound) > 0) {
        break;
      }
      keysCompared++;
      if (c == 0) {
        if (a.hash() != b.hash()) {
          out.add(key);
        }
        i++;
        j++;
      } else {
        out.add(key);
        if (c < 0) {
          i++;
        } else {
          j++;
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ 3. syncing keys

  private CompletableFuture<Void> syncAll(List<byte[]> storageKeys, int from) {
    if (from >= storageKeys.size()) {
      return CompletableFuture.completedFuture(null);
    }
    VersionedStore store = node.store();
    return CompletableFuture.supplyAsync(() -> {
      List<KeyObject> batch = new ArrayList<>();
      long bytes = 0;
      for (int i = from; i < storageKeys.size() && batch.size() < MAX_SYNC_KEYS
          && bytes < MAX_SYNC_BYTES; i++) {
        byte[] key = VersionedStore.userKey(storageKeys.get(i));
        byte[] raw = store.getRaw(key);
        bytes += key.length + (raw == null ? 0 : raw.length);
        batch.add(new KeyObject(key,
            raw == null ? VersionedObject.EMPTY : VersionCodec.decodeObject(raw)));
      }
      return batch;
    }, node.storage()).thenCompose(batch -> {
      long waitNanos = node.limiter().reserve(batch.size());
      CompletableFuture<Void> ready = new CompletableFuture<>();
      if (waitNanos <= 0) {
        ready.complete(null);
      } else {
        node.scheduler().schedule(Duration.ofNanos(waitNanos), () -> ready.complete(null));
      }
      return ready.thenCompose(x -> peer.sync(id, partition, batch))
          .thenApplyAsync(synced -> {
            if (synced.size() != batch.size()) {
              throw new KvException(KvException.Code.INTERNAL, "peer " + peerId + " answered "
                  + synced.size() + " objects for " + batch.size() + " keys");
            }
            for (int i = 0; i < batch.size(); i++) {
              Synced s = synced.get(i);
              boolean changedHere = node.mergeForRepair(batch.get(i).key(), s.object()).changed();
              if (changedHere || s.changed()) {
                keysRepaired++;
              }
            }
            return batch.size();
          }, node.storage())
          .thenCompose(n -> syncAll(storageKeys, from + n));
    });
  }
}
