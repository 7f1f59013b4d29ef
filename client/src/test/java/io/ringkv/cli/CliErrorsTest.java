package io.ringkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.ringkv.client.FakeKeyValue;
import io.ringkv.client.InProcessKv;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CliErrorsTest {

  private final InProcessKv kv = new InProcessKv();
  private final FakeKeyValue fake = kv.fake();
  private final CliRunner cli = new CliRunner(kv);

  @AfterEach
  void tearDown() {
    kv.close();
  }

  @Test
  void serverErrorsPrintTheCodeAndMessageAndExit3() {
    fake.failNext(Status.UNAVAILABLE.withDescription("quorum not reached: 1 of 2 replicas"));
    CliRunner.Result get = cli.run("get", "k");
    assertThat(get.exitCode()).isEqualTo(3);
    assertThat(get.stdout()).isEmpty();
    assertThat(get.stderr()).isEqualTo("error: UNAVAILABLE: quorum not reached: 1 of 2 replicas\n");

    fake.seed("k", "a", "b", "c");
    CliRunner.Result put = cli.run("put", "k", "d");
    assertThat(put.exitCode()).isEqualTo(3);
    assertThat(put.stderr())
        .isEqualTo("error: FAILED_PRECONDITION: too many siblings: 4; resolve first\n");

    CliRunner.Result delete = cli.run("delete", "");
    assertThat(delete.exitCode()).isEqualTo(3);
    assertThat(delete.stderr()).isEqualTo("error: INVALID_ARGUMENT: key must not be empty\n");
  }

  @Test
  void anExpiredDeadlineIsAServerError() {
    fake.failNext(Status.DEADLINE_EXCEEDED);
    CliRunner.Result get = cli.run("get", "k", "--timeout", "PT0.5S");
    assertThat(get.exitCode()).isEqualTo(3);
    assertThat(get.stderr()).isEqualTo("error: DEADLINE_EXCEEDED\n");
  }

  @Test
  void usageErrorsExit2WithoutAStackTrace(@TempDir Path dir) {
    String missingFile = dir.resolve("missing").toString();
    String[][] cases = {
        {},
        {"frobnicate"},
        {"get"},
        {"put", "k"},
        {"put", "k", "v", "--stdin"},
        {"put", "k", "--file", missingFile},
        {"put", "k", "v", "--context", "!!not base64"},
        {"get", "k", "--timeout", "soon"},
        {"get", "k", "--timeout", "0"},
        {"get", "k", "--r", "-1"},
        {"delete", "k", "--w", "two"},
    };
    for (String[] args : cases) {
      CliRunner.Result result = cli.run(args);
      assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(result.stderr()).as(String.join(" ", args))
          .startsWith("error: ")
          .contains("--help' for more information.")
          .doesNotContain("Exception", "\tat ");
    }
    assertThat(fake.requests()).isEmpty();
  }

  @Test
  void valueOutRefusesSiblings(@TempDir Path dir) {
    fake.seed("k", "a", "b");
    CliRunner.Result get = cli.run("get", "k", "--value-out", dir.resolve("v").toString());
    assertThat(get.exitCode()).isEqualTo(2);
    assertThat(get.stderr()).startsWith("error: 'k' has 2 siblings");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "get", "put", "delete"})
  void helpWorksOnEveryCommand(String command) {
    String[] args = command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"};
    CliRunner.Result help = cli.run(args);
    assertThat(help.exitCode()).isZero();
    assertThat(help.stdout()).startsWith("Usage: ringkv").contains("--node");
    assertThat(help.stderr()).isEmpty();
  }

  @Test
  void topLevelHelpDocumentsExitCodes() {
    assertThat(cli.run("--help").stdout())
        .contains("Exit codes:", "1   get: the key was not found", "3   the server");
  }

  @Test
  void versionAndHelpNeedNoServer() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exitCode = RingKvCli.run(
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        "--version");
    assertThat(exitCode).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).matches("ringkv \\S+\n");
    assertThat(cli.run("get", "--version").exitCode()).isZero();
  }
}
