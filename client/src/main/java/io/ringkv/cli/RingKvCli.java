package io.ringkv.cli;

import io.ringkv.client.RingKvClient;
import io.ringkv.client.RingKvException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code ringkv}, the command-line client: the top-level command, its global options, and the
 * entry points. Subcommands are registered in {@link #commandLine}; an {@code admin} group joins
 * them there.
 */
@Command(
    name = "ringkv",
    mixinStandardHelpOptions = true,
    versionProvider = RingKvCli.Version.class,
    description = "Reads and writes a ringkv cluster through one of its nodes.",
    synopsisSubcommandLabel = "COMMAND",
    commandListHeading = "%nCommands:%n",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:get: the key was not found",
      "2:usage error: bad arguments or options, an unreadable or unwritable file",
      "3:the server or the connection failed; stderr says 'error: CODE: message' (CODE is a"
          + " gRPC status, e.g. UNAVAILABLE, INVALID_ARGUMENT, DEADLINE_EXCEEDED)",
      "4:unexpected failure of the CLI itself"},
    footer = {
      "%nGlobal options may also follow the command: ringkv get KEY --node HOST:PORT.",
      "Contexts are URL-safe base64: pass the one 'get' prints to 'put --context' so the write"
          + " supersedes the values 'get' saw; without one the write is blind and becomes a"
          + " sibling."})
public final class RingKvCli implements Callable<Integer> {

  static final int EXIT_NOT_FOUND = 1;
  static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
  static final int EXIT_SERVER = 3;
  static final int EXIT_INTERNAL = 4;

  /** Held so that its level, set in {@link #main}, is not collected with it. */
  private static final Logger GRPC_LOGGER = Logger.getLogger("io.grpc");

  @Option(
      names = "--node",
      paramLabel = "HOST:PORT",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:RINGKV_NODE:-127.0.0.1:7070}",
      description = "The node to talk to (default: $RINGKV_NODE, else 127.0.0.1:7070).")
  String node;

  @Option(
      names = "--timeout",
      paramLabel = "TIME",
      scope = ScopeType.INHERIT,
      converter = Converters.TimeoutConverter.class,
      description = "Deadline of the call: milliseconds (500) or a duration (2s, 1m, PT2S);"
          + " default 5s.")
  Duration timeout;

  @Option(
      names = "--json",
      scope = ScopeType.INHERIT,
      description = "Print one JSON object instead of text.")
  boolean json;

  @Spec CommandSpec spec;

  private final ClientFactory clients;
  private final InputStream in;
  private final PrintStream out;

  private RingKvCli(ClientFactory clients, InputStream in, PrintStream out) {
    this.clients = clients;
    this.in = in;
    this.out = out;
  }

  public static void main(String[] args) {
    // The CLI reports failures itself: no logging from gRPC (java.util.logging) nor from its
    // shaded Netty, which finds slf4j-api without a provider and would warn about that.
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR");
    }
    GRPC_LOGGER.setLevel(Level.SEVERE);
    int exitCode = run(ClientFactory.GRPC, System.in, System.out, System.err, args);
    System.exit(exitCode);
  }

  /** Runs {@code ringkv args} in-process, against the node {@code --node} names; empty stdin. */
  public static int run(PrintStream out, PrintStream err, String... args) {
    return run(ClientFactory.GRPC, InputStream.nullInputStream(), out, err, args);
  }

  /** Runs {@code ringkv args} in-process with the given clients and standard streams. */
  static int run(
      ClientFactory clients, InputStream in, PrintStream out, PrintStream err, String... args) {
    CommandLine commandLine = commandLine(clients, in, out, err);
    try {
      return commandLine.execute(args);
    } finally {
      commandLine.getOut().flush();
      commandLine.getErr().flush();
      out.flush();
      err.flush();
    }
  }

  static CommandLine commandLine(
      ClientFactory clients, InputStream in, PrintStream out, PrintStream err) {
    RingKvCli top = new RingKvCli(Objects.requireNonNull(clients), in, out);
    CommandLine commandLine = new CommandLine(top)
        .addSubcommand(new GetCommand(top))
        .addSubcommand(new PutCommand(top))
        .addSubcommand(new DeleteCommand(top))
        .addSubcommand(new CommandLine(new AdminCommand())
            .addSubcommand(new AdminCommand.Hints(top))
            .addSubcommand(new MembershipCommands.Join(top))
            .addSubcommand(new MembershipCommands.Leave(top))
            .addSubcommand(new MembershipCommands.Remove(top))
            .addSubcommand(new MembershipCommands.StatusCommand(top))
            .addSubcommand(new MembershipCommands.RingCommand(top))
            .addSubcommand(new AdminCommand.Repair(top)));
    commandLine.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    commandLine.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    commandLine.setParameterExceptionHandler(RingKvCli::usageError);
    commandLine.setExecutionExceptionHandler((e, cl, parsed) -> failure(e, cl));
    return commandLine;
  }

  /** {@code ringkv} alone: a usage error. */
  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }

  // ---- what subcommands share ---------------------------------------------------------------

  RingKvClient connect() {
    return clients.connect(node, timeout);
  }

  boolean json() {
    return json;
  }

  String node() {
    return node;
  }

  Duration timeout() {
    return timeout;
  }

  InputStream in() {
    return in;
  }

  /** Writes raw bytes to stdout. */
  void write(byte[] bytes) {
    out.write(bytes, 0, bytes.length);
  }

  /** Writes a line of text to stdout, UTF-8 encoded. */
  void println(String line) {
    write((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Writes a line of text to stderr, UTF-8 encoded. */
  void printlnErr(String line) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(line);
    err.flush();
  }

  // ---- errors -------------------------------------------------------------------------------

  /** A file error for people: "cannot read F: no such file", not an exception's name. */
  static String describe(String verb, Object file, IOException e) {
    String why;
    if (e instanceof NoSuchFileException) {
      why = "no such file";
    } else if (e instanceof AccessDeniedException) {
      why = "permission denied";
    } else if (e instanceof FileSystemException fs && fs.getReason() != null) {
      why = fs.getReason();
    } else {
      why = String.valueOf(e.getMessage());
    }
    return "cannot " + verb + " " + file + ": " + why;
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    err.println("error: " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return EXIT_USAGE;
  }

  private static int failure(Exception e, CommandLine cl) {
    PrintWriter err = cl.getErr();
    int exitCode;
    if (e instanceof RingKvException failed) {
      String description = failed.description().isEmpty() ? "" : ": " + failed.description();
      err.println("error: " + failed.code() + description);
      exitCode = EXIT_SERVER;
    } else {
      err.println("error: unexpected " + e);
      exitCode = EXIT_INTERNAL;
    }
    err.flush();
    return exitCode;
  }

  /** The version, from the filtered {@code version.properties} resource. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream resource = RingKvCli.class.getResourceAsStream("version.properties")) {
        if (resource != null) {
          properties.load(resource);
        }
      }
      return new String[] {"ringkv " + properties.getProperty("version", "unknown")};
    }
  }
}
