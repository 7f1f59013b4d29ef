package io.ringkv.server.grpc;

import io.ringkv.api.v1.AntiEntropyStatusResponse;
import io.ringkv.api.v1.ExchangeReport;
import io.ringkv.api.v1.PartitionAntiEntropy;
import io.ringkv.api.v1.RepairRequest;
import io.ringkv.api.v1.RepairResponse;
import io.ringkv.server.antientropy.AntiEntropy;
import io.ringkv.server.antientropy.ExchangeResult;
import io.ringkv.server.coordinator.KvException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The anti-entropy part of the public Admin service ({@code Repair}, {@code AntiEntropyStatus}):
 * protobuf on one side, {@link AntiEntropy} on the other. Kept apart from {@link AdminService} so
 * that the admin service's other parts can change independently.
 */
final class AntiEntropyAdmin {

  private final String self;
  private final AntiEntropy antiEntropy;

  AntiEntropyAdmin(String self, AntiEntropy antiEntropy) {
    this.self = self;
    this.antiEntropy = antiEntropy;
  }

  CompletableFuture<RepairResponse> repair(RepairRequest request) {
    if (antiEntropy == null) {
      return CompletableFuture.failedFuture(new KvException(
          KvException.Code.FAILED_PRECONDITION, "anti-entropy is not running on " + self));
    }
    CompletableFuture<List<ExchangeResult>> run;
    try {
      run = antiEntropy.repair(request.hasPartition() ? request.getPartition() : null,
          request.getPeer().isEmpty() ? null : request.getPeer());
    } catch (KvException e) {
      return CompletableFuture.failedFuture(e);
    }
    return run.thenApply(results -> {
      RepairResponse.Builder b = RepairResponse.newBuilder().setNode(self);
      long repaired = 0;
      for (ExchangeResult r : results) {
        repaired += r.keysRepaired();
        b.addExchanges(ExchangeReport.newBuilder()
            .setPartition(r.partition())
            .setPeer(r.peer())
            .setOutcome(r.outcome().name().toLowerCase(Locale.ROOT))
            .setDetail(r.detail())
            .setNodesCompared(r.nodesCompared())
            .setLeavesDiffering(r.leavesDiffering())
            .setKeysCompared(r.keysCompared())
            .setKeysDiffering(r.keysDiffering())
            .setKeysRepaired(r.keysRepaired())
            .setTombstonesPurged(r.tombstonesPurged())
            .setDurationMs(r.durationMillis()));
      }
      return b.setKeysRepaired(repaired).build();
    });
  }

  AntiEntropyStatusResponse status() {
    AntiEntropyStatusResponse.Builder b = AntiEntropyStatusResponse.newBuilder().setNode(self);
    if (antiEntropy == null) {
      return b.setEnabled(false).build();
    }
    AntiEntropy.Status s = antiEntropy.status();
    b.setEnabled(s.enabled())
        .setExchangesCompleted(s.exchangesCompleted())
        .setExchangesFailed(s.exchangesFailed())
        .setKeysRepaired(s.keysRepaired())
        .setTombstonesPurged(s.tombstonesPurged())
        .setTreesBuilt(s.treesBuilt())
        .setTreeBytes(s.treeBytes());
    for (AntiEntropy.PartitionStatus p : s.partitions()) {
      PartitionAntiEntropy.Builder pb = PartitionAntiEntropy.newBuilder()
          .setPartition(p.partition())
          .addAllHomeReplicas(p.homeReplicas())
          .setTreeReady(p.treeReady())
          .setLastPeer(p.lastPeer())
          .setExchanges(p.exchanges())
          .setKeysRepaired(p.keysRepaired());
      if (p.lastExchangeAgeMillis() >= 0) {
        pb.setLastExchangeAgeMs(p.lastExchangeAgeMillis());
      }
      b.addPartitions(pb);
    }
    return b.build();
  }
}
