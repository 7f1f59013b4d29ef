package io.ringkv.cli;

import io.ringkv.client.Context;
import io.ringkv.client.RingKvClient;
import io.ringkv.client.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ringkv delete KEY [--context C]}. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = {
      "Deletes KEY: writes a tombstone that supersedes the values --context covers.",
      "Prints nothing (with --json: {\"key\":...,\"deleted\":true}). Without --context the"
          + " tombstone is blind: values written before it that it did not see survive as"
          + " siblings, so pass the context 'get' printed."})
final class DeleteCommand implements Callable<Integer> {

  private final RingKvCli top;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key (UTF-8).")
  String key;

  @Option(names = "--context", paramLabel = "C", converter = Converters.ContextConverter.class,
      description = "The context 'get' printed (default: none).")
  Context context = Context.EMPTY;

  @Option(names = "--w", paramLabel = "N", description = "Replicas that must acknowledge (0, the"
      + " default: the cluster's w).")
  int w;

  DeleteCommand(RingKvCli top) {
    this.top = top;
  }

  @Override
  public Integer call() {
    if (w < 0) {
      throw new ParameterException(spec.commandLine(), "--w must be >= 0: " + w);
    }
    try (RingKvClient client = top.connect()) {
      client.delete(key.getBytes(StandardCharsets.UTF_8), context, WriteOptions.DEFAULTS.withW(w));
    }
    if (top.json()) {
      top.println(Json.object().field("key", key).field("deleted", true).end());
    }
    return 0;
  }
}
