package io.ringkv.sim;

/**
 * What happened in a run, in numbers: evidence that the faults bite (requests fail, messages are
 * lost, repairs happen), summed over a soak.
 */
public record Counts(
    long putsAcked,
    long putsUnknown,
    long getsOk,
    long getsFailed,
    long messages,
    long messagesLost,
    long readRepairs,
    long crashes,
    long diskLosses,
    long powerCuts,
    long writesLostToPowerCuts,
    long maxSiblings,
    long exchanges,
    long keysRepairedByAntiEntropy) {

  public static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  static Counts of(History h, SimNetwork net, SimCluster cluster) {
    long acked = 0;
    long unknown = 0;
    long lostToCuts = 0;
    for (PutOp p : h.puts) {
      if (p.acked()) {
        acked++;
        if (p.dot != null && h.goneAfterPowerCut.getOrDefault(p.key, java.util.Set.of())
            .contains(p.dot)) {
          lostToCuts++;
        }
      } else {
        unknown++;
      }
    }
    long ok = 0;
    long maxSiblings = 0;
    for (GetOp g : h.gets) {
      if (g.ok) {
        ok++;
        maxSiblings = Math.max(maxSiblings, g.object.siblings().size());
      }
    }
    return new Counts(acked, unknown, ok, h.gets.size() - ok, net.messages(), net.dropped(),
        cluster.readRepairs(), cluster.crashes(), h.diskLosses.size(), cluster.powerCuts(),
        lostToCuts,
        maxSiblings,
        cluster.exchanges(), cluster.repairedKeys());
  }

  public Counts plus(Counts o) {
    return new Counts(putsAcked + o.putsAcked, putsUnknown + o.putsUnknown, getsOk + o.getsOk,
        getsFailed + o.getsFailed, messages + o.messages, messagesLost + o.messagesLost,
        readRepairs + o.readRepairs, crashes + o.crashes, diskLosses + o.diskLosses,
        powerCuts + o.powerCuts, writesLostToPowerCuts + o.writesLostToPowerCuts,
        Math.max(maxSiblings, o.maxSiblings), exchanges + o.exchanges,
        keysRepairedByAntiEntropy + o.keysRepairedByAntiEntropy);
  }

  @Override
  public String toString() {
    return "puts " + (putsAcked + putsUnknown) + " (" + putsUnknown + " failed or unanswered), gets "
        + (getsOk + getsFailed) + " (" + getsFailed + " failed), messages " + messages + " ("
        + messagesLost + " lost), read repairs " + readRepairs + ", crashes " + crashes
        + ", disk losses " + diskLosses + ", power cuts " + powerCuts + " (" + writesLostToPowerCuts
        + " acknowledged writes lost with every copy), most siblings read " + maxSiblings
        + ", anti-entropy exchanges " + exchanges + " (" + keysRepairedByAntiEntropy
        + " keys repaired)";
  }
}
