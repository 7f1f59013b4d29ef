package io.ringkv.cli;

import io.ringkv.client.GetResult;
import io.ringkv.client.ReadOptions;
import io.ringkv.client.RingKvClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ringkv get KEY}. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Prints every concurrent value (sibling) of KEY, one per line, then 'context: C'.",
      "Pass C to 'put --context' to overwrite exactly these values.",
      "Not found: prints nothing on stdout, 'not found' on stderr, and exits 1"
          + " (with --json: an object with \"found\":false, exit 1).",
      "With --json, values are UTF-8 text (\"encoding\":\"utf8\") unless one is not valid"
          + " UTF-8; then all are base64 (\"encoding\":\"base64\")."})
final class GetCommand implements Callable<Integer> {

  private final RingKvCli top;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key (UTF-8).")
  String key;

  @Option(names = "--r", paramLabel = "N", description = "Replicas that must answer (0, the"
      + " default: the cluster's r).")
  int r;

  @Option(names = "--value-out", paramLabel = "FILE", description = "Write the value, as raw"
      + " bytes, to FILE instead of stdout (for binary values; fails if KEY has siblings).")
  Path valueOut;

  GetCommand(RingKvCli top) {
    this.top = top;
  }

  @Override
  public Integer call() {
    if (r < 0) {
      throw new ParameterException(spec.commandLine(), "--r must be >= 0: " + r);
    }
    GetResult result;
    try (RingKvClient client = top.connect()) {
      result = client.get(key, ReadOptions.DEFAULTS.withR(r));
    }
    if (valueOut != null && result.found()) {
      writeValueOut(result);
    }
    if (top.json()) {
      printJson(result);
    } else if (result.found()) {
      if (valueOut == null) {
        for (byte[] value : result.values()) {
          top.write(value);
          top.println("");
        }
      }
      top.println("context: " + result.context().toBase64());
    } else {
      top.printlnErr("not found");
    }
    return result.found() ? 0 : RingKvCli.EXIT_NOT_FOUND;
  }

  private void writeValueOut(GetResult result) {
    if (result.hasSiblings()) {
      throw new ParameterException(spec.commandLine(), "'" + key + "' has "
          + result.values().size() + " siblings; --value-out takes one (see them with --json)");
    }
    try {
      Files.write(valueOut, result.values().get(0));
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), RingKvCli.describe("write", valueOut, e));
    }
  }

  private void printJson(GetResult result) {
    List<String> utf8 = new ArrayList<>();
    for (byte[] value : result.values()) {
      String text = strictUtf8(value);
      if (text == null) {
        Base64.Encoder base64 = Base64.getEncoder();
        List<String> encoded = result.values().stream().map(base64::encodeToString).toList();
        print(result, encoded, "base64");
        return;
      }
      utf8.add(text);
    }
    print(result, utf8, "utf8");
  }

  private void print(GetResult result, List<String> values, String encoding) {
    top.println(Json.object()
        .field("key", key)
        .field("found", result.found())
        .field("values", values)
        .field("encoding", encoding)
        .field("context", result.context().toBase64())
        .end());
  }

  /** The value as a string, or null if it is not valid UTF-8. */
  private static String strictUtf8(byte[] value) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
