package io.ringkv.server;

import io.ringkv.config.ConfigException;
import io.ringkv.config.ConfigLoader;
import io.ringkv.config.NodeConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code ringkv-server}: starts one node from a YAML file ({@code --config}) and flags. Every
 * config key is also a flag of the same dotted name ({@code --node-id}, {@code --port}, {@code
 * --replication.n}, ...), which wins over the file.
 */
@Command(
    name = "ringkv-server",
    mixinStandardHelpOptions = true,
    version = "ringkv-server 0.1.0",
    description = "Starts a ringkv node. Every configuration key is also a --flag.",
    footer = {
      "",
      "Without --config the node starts with the built-in defaults (--print-default-config).",
      "Exit codes: 0 clean shutdown, 2 bad usage or configuration, 1 failure to start."
    })
public final class ServerMain implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path configFile;

  @Option(names = "--print-default-config", description = "Print the built-in defaults and exit.")
  boolean printDefaults;

  private final Map<String, String> overrides = new LinkedHashMap<>();

  /** Netty's leak detector, as gRPC's shaded Netty reads it when its first buffer is made. */
  static final String LEAK_DETECTION = "io.grpc.netty.shaded.io.netty.leakDetection.level";

  public static void main(String[] args) {
    // Netty's default samples one buffer in 128 with a stack trace (2% of a node's CPU in the
    // benchmark's profile) to find buffers nobody released; ringkv's own code never holds Netty
    // buffers, gRPC does. Set -D of this property to turn it back on.
    if (System.getProperty(LEAK_DETECTION) == null) {
      System.setProperty(LEAK_DETECTION, "disabled");
    }
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    ServerMain main = new ServerMain();
    CommandLine cl = new CommandLine(main);
    CommandSpec spec = cl.getCommandSpec();
    for (String key : ConfigLoader.keys()) {
      spec.addOption(
          OptionSpec.builder("--" + key)
              .paramLabel("VALUE")
              .type(String.class)
              .description("Overrides '" + key + "' of the configuration.")
              .setter(
                  new CommandLine.Model.ISetter() {
                    @Override
                    public <T> T set(T value) {
                      if (value != null) {
                        main.overrides.put(key, (String) value);
                      }
                      return null;
                    }
                  })
              .build());
    }
    return cl;
  }

  @Override
  public Integer call() {
    if (printDefaults) {
      System.out.print(ConfigLoader.defaultYaml());
      return 0;
    }
    NodeConfig config;
    try {
      config = ConfigLoader.load(configFile, overrides);
    } catch (ConfigException e) {
      PrintWriter err = new PrintWriter(System.err, true);
      err.println(e.getMessage());
      return 2;
    }
    // Every log line of this process carries the node id (see logback.xml).
    System.setProperty("ringkv.node", config.nodeId());
    Logger log = LoggerFactory.getLogger(ServerMain.class);
    RingKvNode node;
    try {
      node = RingKvNode.start(config);
    } catch (RuntimeException e) {
      log.error("node {} failed to start: {}", config.nodeId(), e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "ringkv-shutdown"));
    try {
      node.blockUntilShutdown();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
