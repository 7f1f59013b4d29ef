package io.ringkv.config;

import io.ringkv.config.NodeConfig.Engine;
import io.ringkv.config.NodeConfig.Limits;
import io.ringkv.config.NodeConfig.Replication;
import io.ringkv.config.NodeConfig.Storage;
import io.ringkv.config.NodeConfig.Timeouts;
import io.ringkv.config.NodeConfig.FailureDetector;
import io.ringkv.config.NodeConfig.Handoff;
import io.ringkv.config.NodeConfig.Versions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads a {@link NodeConfig}: the embedded {@code ringkv-default.yaml}, then an optional YAML
 * file, then command-line overrides, each replacing single keys of the one before. The embedded
 * file is the only place defaults and the set of keys are written down; the Java side only maps
 * keys to record components.
 */
public final class ConfigLoader {

  /** {@link ConfigException#source()} of values given as overrides. */
  public static final String COMMAND_LINE = "command line";

  /** {@link ConfigException#source()} of values nobody set. */
  public static final String DEFAULTS = "built-in defaults (ringkv-default.yaml)";

  private static final String RESOURCE = "/ringkv-default.yaml";
  private static final String DEFAULT_YAML = YamlFiles.readResource(RESOURCE);
  private static final Map<String, Object> DEFAULT_TREE = YamlFiles.parse(DEFAULT_YAML, DEFAULTS);
  /** Leaf keys in file order, and the sections ({@code replication}, ...) that hold them. */
  private static final List<String> KEYS = new ArrayList<>();
  private static final Set<String> SECTIONS = new TreeSet<>();

  static {
    collectKeys(DEFAULT_TREE, "");
  }

  private ConfigLoader() {}

  /**
   * Loads the configuration.
   *
   * @param fileOrNull a YAML file holding any subset of the keys, or null for defaults only
   * @param overrides dotted key ({@code replication.n}) to value as typed on a command line; lists
   *     are comma-separated
   * @throws ConfigException for a missing or unreadable file, invalid YAML, an unknown key, a
   *     value of the wrong type, or a value breaking a rule
   */
  public static NodeConfig load(Path fileOrNull, Map<String, String> overrides) {
    Settings settings = new Settings();
    read(DEFAULT_TREE, "", settings, DEFAULTS, 0);
    String lastSource = DEFAULTS;
    if (fileOrNull != null) {
      lastSource = fileOrNull.toString();
      read(YamlFiles.parse(YamlFiles.readFile(fileOrNull), lastSource), "", settings, lastSource, 1);
    }
    // Sorted, so that with several bad overrides the same one is reported every run.
    for (Map.Entry<String, String> override : new TreeMap<>(overrides).entrySet()) {
      String key = override.getKey();
      if (!KEYS.contains(key)) {
        throw unknownKey(key, COMMAND_LINE);
      }
      settings.put(key, override.getValue(), COMMAND_LINE, 2, true);
      lastSource = COMMAND_LINE;
    }
    try {
      return build(settings);
    } catch (ConfigException e) {
      throw e.source() != null ? e : e.withSource(settings.sourceFor(e, lastSource));
    }
  }

  /** The text of the embedded {@code ringkv-default.yaml}: every key, its default and its meaning. */
  public static String defaultYaml() {
    return DEFAULT_YAML;
  }

  /** Every dotted key ({@code node-id}, {@code replication.n}, ...), in the order of the defaults. */
  public static List<String> keys() {
    return List.copyOf(KEYS);
  }

  /** {@code config} as YAML with every key, in the layout of the defaults; {@link #load} reads it back. */
  public static String toYaml(NodeConfig config) {
    Map<String, Object> flat = flatten(config);
    if (!flat.keySet().equals(Set.copyOf(KEYS))) {
      throw new IllegalStateException("flatten() and ringkv-default.yaml disagree on the keys");
    }
    Map<String, Object> tree = new LinkedHashMap<>();
    for (String key : KEYS) {
      Map<String, Object> section = tree;
      String[] parts = key.split("\\.");
      for (int i = 0; i < parts.length - 1; i++) {
        @SuppressWarnings("unchecked")
        Map<String, Object> child = (Map<String, Object>) section.computeIfAbsent(parts[i], k -> new LinkedHashMap<>());
        section = child;
      }
      section.put(parts[parts.length - 1], flat.get(key));
    }
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(options).dump(tree);
  }

  // The two places that know which key is which record component; toYaml's check and the
  // round-trip test keep them in step with the YAML resource.
  private static NodeConfig build(Settings s) {
    return new NodeConfig(
        s.string("cluster-name"),
        s.string("node-id"),
        s.string("host"),
        s.integer("port"),
        s.path("data-dir"),
        s.list("seeds", HostPort::parse),
        s.list("members", Member::parse),
        s.integer("partitions"),
        new Replication(s.integer("replication.n"), s.integer("replication.r"), s.integer("replication.w")),
        new Limits(s.integer("limits.max-key-bytes"), s.integer("limits.max-value-bytes"), s.integer("limits.max-siblings")),
        new Versions(s.integer("versions.max-clock-entries")),
        new Storage(s.choice("storage.engine", Engine.class), s.bool("storage.sync-writes"),
            s.integer("storage.object-cache-mib")),
        new NodeConfig.Threads(s.integer("threads.network"), s.integer("threads.storage")),
        new Timeouts(s.integer("timeouts.request-ms"), s.integer("timeouts.replica-ms"), s.integer("timeouts.read-repair-wait-ms")),
        new FailureDetector(s.integer("failure-detector.probe-interval-ms"),
            s.integer("failure-detector.phi-threshold"), s.integer("failure-detector.failures-to-suspect")),
        new Handoff(s.integer("handoff.interval-ms"), s.integer("handoff.batch-size"),
            s.integer("handoff.max-keys-per-second"), s.integer("handoff.max-hint-mib"),
            s.integer("handoff.max-hint-age-ms")),
        new NodeConfig.Membership(s.integer("membership.gossip-interval-ms"),
            s.integer("membership.transfer-batch-bytes"), s.integer("membership.transfer-parallel"),
            s.integer("membership.transfer-retry-ms"), s.integer("membership.forward-grace-ms")),
        new NodeConfig.Metrics(s.integer("metrics.port")),
        new NodeConfig.AntiEntropy(s.bool("anti-entropy.enabled"),
            s.integer("anti-entropy.interval-ms"), s.integer("anti-entropy.max-keys-per-second"),
            s.integer("anti-entropy.tree-leaves"), s.integer("anti-entropy.rebuild-interval-ms"),
            s.integer("anti-entropy.tombstone-grace-ms"), s.integer("anti-entropy.rpc-timeout-ms")));
  }

  private static Map<String, Object> flatten(NodeConfig c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cluster-name", c.clusterName());
    m.put("node-id", c.nodeId());
    m.put("host", c.host());
    m.put("port", c.port());
    m.put("data-dir", c.dataDir().toString());
    m.put("seeds", c.seeds().stream().map(HostPort::format).toList());
    m.put("members", c.members().stream().map(Member::format).toList());
    m.put("partitions", c.partitions());
    m.put("replication.n", c.replication().n());
    m.put("replication.r", c.replication().r());
    m.put("replication.w", c.replication().w());
    m.put("limits.max-key-bytes", c.limits().maxKeyBytes());
    m.put("limits.max-value-bytes", c.limits().maxValueBytes());
    m.put("limits.max-siblings", c.limits().maxSiblings());
    m.put("versions.max-clock-entries", c.versions().maxClockEntries());
    m.put("storage.engine", c.storage().engine().name().toLowerCase(Locale.ROOT));
    m.put("storage.sync-writes", c.storage().syncWrites());
    m.put("storage.object-cache-mib", c.storage().objectCacheMib());
    m.put("threads.network", c.threads().network());
    m.put("threads.storage", c.threads().storage());
    m.put("timeouts.request-ms", c.timeouts().requestMillis());
    m.put("timeouts.replica-ms", c.timeouts().replicaMillis());
    m.put("timeouts.read-repair-wait-ms", c.timeouts().readRepairWaitMillis());
    m.put("failure-detector.probe-interval-ms", c.failureDetector().probeIntervalMillis());
    m.put("failure-detector.phi-threshold", c.failureDetector().phiThreshold());
    m.put("failure-detector.failures-to-suspect", c.failureDetector().failuresToSuspect());
    m.put("handoff.interval-ms", c.handoff().intervalMillis());
    m.put("handoff.batch-size", c.handoff().batchSize());
    m.put("handoff.max-keys-per-second", c.handoff().maxKeysPerSecond());
    m.put("handoff.max-hint-mib", c.handoff().maxHintMib());
    m.put("handoff.max-hint-age-ms", (int) c.handoff().maxHintAgeMillis());
    m.put("membership.gossip-interval-ms", c.membership().gossipIntervalMillis());
    m.put("membership.transfer-batch-bytes", c.membership().transferBatchBytes());
    m.put("membership.transfer-parallel", c.membership().transferParallel());
    m.put("membership.transfer-retry-ms", c.membership().transferRetryMillis());
    m.put("membership.forward-grace-ms", c.membership().forwardGraceMillis());
    m.put("metrics.port", c.metrics().port());
    m.put("anti-entropy.enabled", c.antiEntropy().enabled());
    m.put("anti-entropy.interval-ms", c.antiEntropy().intervalMillis());
    m.put("anti-entropy.max-keys-per-second", c.antiEntropy().maxKeysPerSecond());
    m.put("anti-entropy.tree-leaves", c.antiEntropy().treeLeaves());
    m.put("anti-entropy.rebuild-interval-ms", (int) c.antiEntropy().rebuildIntervalMillis());
    m.put("anti-entropy.tombstone-grace-ms", (int) c.antiEntropy().tombstoneGraceMillis());
    m.put("anti-entropy.rpc-timeout-ms", c.antiEntropy().rpcTimeoutMillis());
    return m;
  }

  /** Copies the leaves of a parsed YAML mapping into {@code settings}, refusing unknown keys. */
  private static void read(Map<?, ?> map, String prefix, Settings settings, String source, int layer) {
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String key = prefix + entry.getKey();
      Object value = entry.getValue();
      if (SECTIONS.contains(key)) {
        if (!(value instanceof Map<?, ?> section)) {
          throw ConfigException.invalid(key, source,
              "expected a section with " + childrenOf(key) + ", got " + Settings.describe(value));
        }
        read(section, key + ".", settings, source, layer);
      } else if (KEYS.contains(key)) {
        settings.put(key, value, source, layer, false);
      } else {
        throw unknownKey(key, source);
      }
    }
  }

  private static void collectKeys(Map<?, ?> map, String prefix) {
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String key = prefix + entry.getKey();
      if (entry.getValue() instanceof Map<?, ?> section) {
        SECTIONS.add(key);
        collectKeys(section, key + ".");
      } else {
        KEYS.add(key);
      }
    }
  }

  private static String childrenOf(String section) {
    return String.join(", ", KEYS.stream().filter(k -> k.startsWith(section + ".")).toList());
  }

  private static ConfigException unknownKey(String key, String source) {
    String problem = SECTIONS.contains(key)
        ? "'" + key + "' is a section; set one of " + childrenOf(key)
        : "unknown key '" + key + "'" + Suggestions.closest(key, KEYS, SECTIONS).map(k -> " (did you mean '" + k + "'?)").orElse("");
    return new ConfigException(key, source, problem, List.of(), null);
  }
}
