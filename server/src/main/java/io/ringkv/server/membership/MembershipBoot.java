package io.ringkv.server.membership;

import io.ringkv.config.Member;
import io.ringkv.config.NodeConfig;
import io.ringkv.gossip.ClusterState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster state a node starts with: the one it saved, else a new cluster from the configured
 * {@code members} (every node of such a cluster computes the same state, and the same cluster id,
 * from the same list), else a cluster of its own that an administrator can join to another.
 */
public final class MembershipBoot {

  private static final Logger log = LoggerFactory.getLogger(MembershipBoot.class);

  private MembershipBoot() {}

  /**
   * @throws IllegalStateException when the saved state contradicts the configuration (another
   *     cluster name, a cluster this node is not part of)
   */
  public static ClusterState initial(NodeConfig config, ClusterState saved, String ownAddress,
      RandomGenerator random) {
    String self = config.nodeId();
    if (saved != null) {
      if (!saved.clusterName().equals(config.clusterName())) {
        throw new IllegalStateException("cluster-name is '" + config.clusterName()
            + "' but the data in " + config.dataDir() + " belongs to cluster '"
            + saved.clusterName() + "': fix cluster-name, or use another data-dir");
      }
      if (saved.member(self) == null) {
        throw new IllegalStateException("the data in " + config.dataDir() + " belongs to cluster '"
            + saved.clusterName() + "' whose members " + saved.members().keySet()
            + " do not include node-id '" + self + "'");
      }
      if (saved.ring().partitionCount() != config.partitions()
          || saved.ring().targetN() != config.replication().n()) {
        log.warn("node {}: the cluster was created with partitions={} and replication.n={};"
            + " the configured {} and {} do not apply to it", self,
            saved.ring().partitionCount(), saved.ring().targetN(), config.partitions(),
            config.replication().n());
      }
      return saved;
    }
    List<io.ringkv.gossip.Member> members = new ArrayList<>();
    String id;
    if (config.members().isEmpty()) {
      members.add(new io.ringkv.gossip.Member(self, ownAddress, 1,
          io.ringkv.gossip.Member.State.NORMAL));
      byte[] b = new byte[8];
      random.nextBytes(b);
      id = "own-" + HexFormat.of().formatHex(b);
    } else {
      StringBuilder digestOf = new StringBuilder(config.clusterName());
      List<Member> sorted = new ArrayList<>(config.members());
      sorted.sort(java.util.Comparator.comparing(Member::nodeId));
      for (Member m : sorted) {
        members.add(new io.ringkv.gossip.Member(m.nodeId(), m.address().format(), 1,
            io.ringkv.gossip.Member.State.NORMAL));
        digestOf.append('|').append(m.format());
      }
      digestOf.append('|').append(config.partitions()).append('|')
          .append(config.replication().n());
      id = "static-" + md5(digestOf.toString());
    }
    return ClusterState.bootstrap(config.clusterName(), id, members, config.partitions(),
        config.replication().n());
  }

  private static String md5(String s) {
    try {
      byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
