package io.ringkv.cli;

import io.ringkv.client.Context;
import io.ringkv.client.RingKvClient;
import io.ringkv.client.WriteOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ringkv put KEY [VALUE] [--context C] [--file F | --stdin]}. */
@Command(
    name = "put",
    mixinStandardHelpOptions = true,
    description = {
      "Writes a value to KEY and prints 'context: C', the new version's context.",
      "The value is VALUE (UTF-8), the bytes of --file, or all of stdin with --stdin: exactly one.",
      "With --context (from 'get') the value supersedes the values that get saw; without,"
          + " the write is blind and becomes a sibling of whatever is stored."})
final class PutCommand implements Callable<Integer> {

  private final RingKvCli top;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key (UTF-8).")
  String key;

  @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE", description = "The value (UTF-8).")
  String value;

  @Option(names = "--context", paramLabel = "C", converter = Converters.ContextConverter.class,
      description = "The context 'get' printed (default: none, a blind write).")
  Context context = Context.EMPTY;

  @Option(names = "--file", paramLabel = "FILE", description = "Read the value from FILE.")
  Path file;

  @Option(names = "--stdin", description = "Read the value from standard input.")
  boolean stdin;

  @Option(names = "--w", paramLabel = "N", description = "Replicas that must acknowledge (0, the"
      + " default: the cluster's w).")
  int w;

  PutCommand(RingKvCli top) {
    this.top = top;
  }

  @Override
  public Integer call() {
    if (w < 0) {
      throw new ParameterException(spec.commandLine(), "--w must be >= 0: " + w);
    }
    byte[] bytes = readValue();
    Context written;
    try (RingKvClient client = top.connect()) {
      written = client.put(
          key.getBytes(StandardCharsets.UTF_8), bytes, context, WriteOptions.DEFAULTS.withW(w));
    }
    if (top.json()) {
      top.println(Json.object().field("key", key).field("context", written.toBase64()).end());
    } else {
      top.println("context: " + written.toBase64());
    }
    return 0;
  }

  private byte[] readValue() {
    int sources = (value != null ? 1 : 0) + (file != null ? 1 : 0) + (stdin ? 1 : 0);
    if (sources != 1) {
      throw new ParameterException(spec.commandLine(), sources == 0
          ? "give the value: VALUE, --file FILE or --stdin"
          : "give only one of VALUE, --file FILE and --stdin");
    }
    if (value != null) {
      return value.getBytes(StandardCharsets.UTF_8);
    }
    try {
      return file != null ? Files.readAllBytes(file) : top.in().readAllBytes();
    } catch (IOException e) {
      String source = file != null ? file.toString() : "stdin";
      throw new ParameterException(spec.commandLine(), RingKvCli.describe("read", source, e));
    }
  }
}
