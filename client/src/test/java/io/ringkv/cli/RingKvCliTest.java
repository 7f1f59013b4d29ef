package io.ringkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.ringkv.api.v1.GetRequest;
import io.ringkv.api.v1.PutRequest;
import io.ringkv.client.Context;
import io.ringkv.client.FakeKeyValue;
import io.ringkv.client.InProcessKv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RingKvCliTest {

  private final InProcessKv kv = new InProcessKv();
  private final FakeKeyValue fake = kv.fake();
  private final CliRunner cli = new CliRunner(kv);

  @AfterEach
  void tearDown() {
    kv.close();
  }

  @Test
  void putPrintsTheNewContext() {
    CliRunner.Result put = cli.run("put", "k", "hello");
    assertThat(put.exitCode()).isZero();
    assertThat(put.stderr()).isEmpty();
    assertThat(fake.values("k")).containsExactly("hello");
    String context = contextOf(put.stdout());
    assertThat(put.stdout()).isEqualTo("context: " + context + "\n");
    assertThat(context).isNotEmpty().isEqualTo(contextOf(cli.run("get", "k").stdout()));
  }

  @Test
  void getPrintsEachValueThenTheContext() {
    fake.seed("k", "a", "b");
    CliRunner.Result get = cli.run("get", "k");
    assertThat(get.exitCode()).isZero();
    assertThat(get.stdout()).matches("a\nb\ncontext: [A-Za-z0-9_-]+\n");
    assertThat(get.stderr()).isEmpty();
  }

  @Test
  void getOfAMissingKeyPrintsNothingAndExits1() {
    CliRunner.Result get = cli.run("get", "nope");
    assertThat(get.exitCode()).isEqualTo(1);
    assertThat(get.stdout()).isEmpty();
    assertThat(get.stderr()).isEqualTo("not found\n");

    CliRunner.Result json = cli.run("get", "nope", "--json");
    assertThat(json.exitCode()).isEqualTo(1);
    assertThat(json.stdout()).isEqualTo(
        "{\"key\":\"nope\",\"found\":false,\"values\":[],\"encoding\":\"utf8\","
            + "\"context\":\"\"}\n");
    assertThat(json.stderr()).isEmpty();
  }

  @Test
  void theContextOfGetMakesPutSupersedeTheSiblings() {
    cli.run("put", "k", "a");
    cli.run("put", "k", "b");
    assertThat(fake.values("k")).containsExactly("a", "b");

    CliRunner.Result get = cli.run("get", "k");
    String context = contextOf(get.stdout());
    CliRunner.Result put = cli.run("put", "k", "ab", "--context", context);

    assertThat(put.exitCode()).isZero();
    assertThat(fake.values("k")).containsExactly("ab");
    assertThat(fake.lastRequest(PutRequest.class).getContext().toByteArray())
        .isEqualTo(Context.fromBase64(context).toBytes());
  }

  @Test
  void jsonOutputOfEachCommand() {
    CliRunner.Result put = cli.run("--json", "put", "k", "say \"hi\"\n");
    String context = jsonContext(put.stdout());
    assertThat(context).isNotEmpty();
    assertThat(put.stdout()).isEqualTo("{\"key\":\"k\",\"context\":\"" + context + "\"}\n");

    CliRunner.Result get = cli.run("get", "k", "--json");
    assertThat(get.exitCode()).isZero();
    assertThat(get.stdout()).isEqualTo(
        "{\"key\":\"k\",\"found\":true,\"values\":[\"say \\\"hi\\\"\\n\"],"
        + "\"encoding\":\"utf8\",\"context\":\"" + context + "\"}\n");

    CliRunner.Result delete = cli.run("delete", "k", "--context", context, "--json");
    assertThat(delete.exitCode()).isZero();
    assertThat(delete.stdout()).isEqualTo("{\"key\":\"k\",\"deleted\":true}\n");
    assertThat(fake.values("k")).isEmpty();
  }

  @Test
  void jsonUsesBase64WhenAValueIsNotUtf8() {
    byte[] binary = {(byte) 0xff, 0, (byte) 0xc3};
    cli.stdin(binary).run("put", "bin", "--stdin");
    fake.seed("mixed", "text");
    cli.stdin(binary).run("put", "mixed", "--stdin");

    CliRunner.Result get = cli.run("--json", "get", "mixed");
    assertThat(get.stdout())
        .contains("\"values\":[\"" + b64("text".getBytes(StandardCharsets.UTF_8)) + "\",\""
            + b64(binary) + "\"]")
        .contains("\"encoding\":\"base64\"");
  }

  @Test
  void deletePrintsNothing() {
    cli.run("put", "k", "v");
    String context = contextOf(cli.run("get", "k").stdout());
    CliRunner.Result delete = cli.run("delete", "k", "--context", context);
    assertThat(delete.exitCode()).isZero();
    assertThat(delete.stdout()).isEmpty();
    assertThat(delete.stderr()).isEmpty();
    assertThat(cli.run("get", "k").exitCode()).isEqualTo(1);
  }

  @Test
  void valuesFromStdinAndFilesAreBytesAsIs(@TempDir Path dir) throws Exception {
    byte[] binary = {0, 1, 2, (byte) 0xfe, '\n'};
    assertThat(cli.stdin(binary).run("put", "s", "--stdin").exitCode()).isZero();
    assertThat(fake.lastRequest(PutRequest.class).getValue().toByteArray()).isEqualTo(binary);

    Path file = dir.resolve("value.bin");
    Files.write(file, binary);
    assertThat(cli.run("put", "f", "--file", file.toString()).exitCode()).isZero();
    assertThat(fake.lastRequest(PutRequest.class).getValue().toByteArray()).isEqualTo(binary);

    Path out = dir.resolve("out.bin");
    CliRunner.Result get = cli.run("get", "f", "--value-out", out.toString());
    assertThat(get.exitCode()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(binary);
    assertThat(get.stdout()).startsWith("context: ");

    CliRunner.Result raw = cli.run("get", "f");
    assertThat(raw.stdoutBytes()).startsWith(binary);
  }

  @Test
  void quorumsReachTheServer() {
    cli.run("put", "k", "v", "--w", "2");
    assertThat(fake.lastRequest(PutRequest.class).getW()).isEqualTo(2);
    cli.run("get", "k", "--r", "3");
    assertThat(fake.lastRequest(GetRequest.class).getR()).isEqualTo(3);
    assertThat(fake.lastRequest(GetRequest.class).getKey()).isEqualTo(ByteString.copyFromUtf8("k"));
  }

  @Test
  void nodeAndTimeoutGoBeforeOrAfterTheCommand() {
    cli.run("--node", "10.1.2.3:7000", "--timeout", "250", "get", "k");
    cli.run("get", "k", "--node=h:1", "--timeout=2s");
    cli.run("get", "k");

    String defaultNode = System.getenv().getOrDefault("RINGKV_NODE", "127.0.0.1:7070");
    assertThat(cli.connections()).containsExactly(
        new CliRunner.Connection("10.1.2.3:7000", Duration.ofMillis(250)),
        new CliRunner.Connection("h:1", Duration.ofSeconds(2)),
        new CliRunner.Connection(defaultNode, null));
  }

  private static String contextOf(String stdout) {
    String last = stdout.lines().reduce((a, b) -> b).orElseThrow();
    assertThat(last).startsWith("context: ");
    return last.substring("context: ".length());
  }

  private static String jsonContext(String json) {
    return json.replaceAll("(?s).*\"context\":\"([^\"]*)\".*", "$1");
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
