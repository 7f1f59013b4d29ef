package io.ringkv.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringkv.config.ConfigException;
import io.ringkv.config.ConfigLoader;
import io.ringkv.config.HostPort;
import io.ringkv.config.Member;
import io.ringkv.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks {@code docker/docker-compose.yml} and {@code docker/Dockerfile} without a Docker engine:
 * the compose file has the shape of one (services with an image or a build, named volumes
 * declared and used), every node's command is made of real configuration keys whose values the
 * server's own {@link ConfigLoader} accepts, the nodes agree on the cluster (name, members, seeds)
 * and each is in the member list at its own address, published ports and data volumes are
 * distinct; and the Dockerfile copies the jars the Maven build really produces and runs the one
 * it copied. The checks collect problems rather than stop at the first, and each negative test
 * feeds them a small broken file to show they can fail.
 */
class ComposeFileTest {

  private static final Path REPO = ServerProcess.repo();
  private static final Path DOCKER = REPO.resolve("docker");

  @Test
  void composeFileDescribesAFiveNodeClusterTheServerAccepts() throws IOException {
    Map<String, Object> compose = yaml(Files.readString(DOCKER.resolve("docker-compose.yml")));

    assertThat(composeProblems(compose, DOCKER)).isEmpty();
    Map<String, NodeConfig> nodes = nodeConfigs(compose, new ArrayList<>());
    assertThat(nodes).hasSize(5);
    NodeConfig any = nodes.values().iterator().next();
    assertThat(any.members()).hasSize(5);
    assertThat(any.seeds()).hasSize(2);
  }

  @Test
  void dockerfileCopiesTheJarsTheBuildProducesAndRunsTheServer() throws IOException {
    assertThat(dockerfileProblems(Files.readString(DOCKER.resolve("Dockerfile")))).isEmpty();
  }

  @Test
  void aMisspelledKeyFailsTheCheck() {
    Map<String, Object> compose = yaml(twoNodes().replace("--node-id\", \"a\"", "--node-idd\", \"a\""));

    assertThat(composeProblems(compose, DOCKER))
        .anySatisfy(p -> assertThat(p).contains("a: --node-idd is not a configuration key"));
  }

  @Test
  void aValueTheServerRejectsFailsTheCheck() {
    Map<String, Object> compose = yaml(twoNodes().replace("\"--port\", \"7070\"", "\"--port\", \"70x\""));

    assertThat(composeProblems(compose, DOCKER))
        .anySatisfy(p -> assertThat(p).startsWith("a: the server rejects its flags").contains("port"));
  }

  @Test
  void nodesThatDisagreeOrShareAVolumeOrPortFailTheCheck() {
    String broken = twoNodes()
        .replace("a@a:7070,b@b:7070\"]\n    ports: [\"7072", "a@a:7070,b@b:7071\"]\n    ports: [\"7071")
        .replace("b-data:/data", "a-data:/data");
    Map<String, Object> compose = yaml(broken);

    List<String> problems = composeProblems(compose, DOCKER);

    assertThat(problems).anySatisfy(p -> assertThat(p).contains("member lists differ"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("b is listed at b:7071"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("host port 7071 is published by a and b"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("volume a-data is mounted by a and b"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("volume b-data is declared but not used"));
  }

  @Test
  void aComposeFileOfTheWrongShapeFailsTheCheck() {
    Map<String, Object> compose = yaml("""
        servics: {}
        services:
          a:
            comand: ["--node-id", "a"]
            volumes: ["undeclared:/data"]
        """);

    assertThat(composeProblems(compose, DOCKER)).contains(
        "top level: unknown key 'servics'",
        "a: unknown service key 'comand'",
        "a: neither image nor build",
        "a: no command (every node needs its --node-id and --members)",
        "a: volume undeclared is not declared under the top-level volumes");
  }

  @Test
  void aDockerfileCopyingAJarTheBuildDoesNotMakeFailsTheCheck() {
    String dockerfile = """
        FROM eclipse-temurin:17-jdk AS build
        WORKDIR /src
        COPY mvnw pom.xml nosuchfile ./
        RUN ./mvnw -B -DskipTests -pl server,nosuchmodule -am package
        FROM eclipse-temurin:17-jre
        COPY --from=build /src/server/target/ringkv-server-all.jar /opt/ringkv/server.jar
        ENTRYPOINT ["java", "-jar", "/opt/ringkv/ringkv-server.jar"]
        CMD ["--prot", "7070"]
        """;

    assertThat(dockerfileProblems(dockerfile)).contains(
        "build stage copies nosuchfile, which is not in the repository",
        "the build names module nosuchmodule, which has no pom.xml",
        "copies server/target/ringkv-server-all.jar, which the build of module server does not"
            + " produce",
        "ENTRYPOINT runs /opt/ringkv/ringkv-server.jar, which no COPY put there",
        "CMD: --prot is not a configuration key");
  }

  // ---------------------------------------------------------------------------------------------
  // The compose checks.

  private static final Set<String> TOP_LEVEL =
      Set.of("version", "name", "services", "volumes", "networks", "configs", "secrets", "include");

  /** The service keys this project may reasonably use; anything else is most likely a typo. */
  private static final Set<String> SERVICE_KEYS = Set.of("build", "image", "command", "entrypoint",
      "environment", "env_file", "ports", "expose", "volumes", "restart", "hostname",
      "container_name", "depends_on", "healthcheck", "networks", "labels", "ulimits", "deploy",
      "stop_grace_period", "stop_signal", "init", "user", "working_dir", "logging", "extra_hosts",
      "pull_policy", "mem_limit", "cpus");

  static List<String> composeProblems(Map<String, Object> compose, Path composeDir) {
    List<String> out = new ArrayList<>();
    for (String key : compose.keySet()) {
      if (!TOP_LEVEL.contains(key) && !key.startsWith("x-")) {
        out.add("top level: unknown key '" + key + "'");
      }
    }
    Map<String, Object> services = map(compose.get("services"));
    if (services.isEmpty()) {
      out.add("top level: no services");
      return out;
    }
    Set<String> declaredVolumes = new TreeSet<>(map(compose.get("volumes")).keySet());
    Map<String, String> volumeUser = new TreeMap<>();
    Map<Integer, String> portUser = new TreeMap<>();
    for (Map.Entry<String, Object> e : services.entrySet()) {
      String name = e.getKey();
      Map<String, Object> s = map(e.getValue());
      for (String key : s.keySet()) {
        if (!SERVICE_KEYS.contains(key) && !key.startsWith("x-")) {
          out.add(name + ": unknown service key '" + key + "'");
        }
      }
      if (!s.containsKey("image") && !s.containsKey("build")) {
        out.add(name + ": neither image nor build");
      }
      if (s.get("build") != null) {
        out.addAll(buildProblems(name, s.get("build"), composeDir));
      }
      if (s.get("command") == null) {
        out.add(name + ": no command (every node needs its --node-id and --members)");
      }
      for (Object v : list(s.get("volumes"))) {
        String[] parts = String.valueOf(v).split(":");
        String source = parts[0];
        if (source.startsWith(".") || source.startsWith("/")) {
          continue; // a bind mount: not a named volume
        }
        if (!declaredVolumes.contains(source)) {
          out.add(name + ": volume " + source + " is not declared under the top-level volumes");
        }
        String other = volumeUser.putIfAbsent(source, name);
        if (other != null) {
          out.add("volume " + source + " is mounted by " + other + " and " + name
              + ": each node needs its own data");
        }
      }
      for (Object p : list(s.get("ports"))) {
        Integer hostPort = publishedPort(p);
        if (hostPort == null) {
          continue; // a container port alone: published on a random host port
        }
        String other = portUser.putIfAbsent(hostPort, name);
        if (other != null) {
          out.add("host port " + hostPort + " is published by " + other + " and " + name);
        }
      }
    }
    for (String v : declaredVolumes) {
      if (!volumeUser.containsKey(v)) {
        out.add("volume " + v + " is declared but not used");
      }
    }
    Map<String, NodeConfig> nodes = nodeConfigs(compose, out);
    out.addAll(clusterProblems(services, nodes));
    return out;
  }

  /** The host port of a ports entry ("7071:7070", "127.0.0.1:7071:7070", {published: 7071}). */
  private static Integer publishedPort(Object entry) {
    if (entry instanceof Map<?, ?> m) {
      Object published = m.get("published");
      return published == null ? null : Integer.valueOf(String.valueOf(published));
    }
    String[] parts = String.valueOf(entry).split(":");
    return parts.length < 2 ? null : Integer.valueOf(parts[parts.length - 2]);
  }

  /** The container port of a ports entry ("7071:7070/tcp" gives 7070, {target: 7070}). */
  private static String containerPort(Object entry) {
    String target = entry instanceof Map<?, ?> m ? String.valueOf(m.get("target"))
        : String.valueOf(entry).replaceAll(".*:", "");
    return target.replaceAll("/.*", "");
  }

  private static List<String> buildProblems(String service, Object build, Path composeDir) {
    List<String> out = new ArrayList<>();
    Map<String, Object> b = build instanceof String s ? Map.of("context", s) : map(build);
    Path context = composeDir.resolve(String.valueOf(b.getOrDefault("context", "."))).normalize();
    if (!Files.isDirectory(context)) {
      out.add(service + ": build context " + context + " is not a directory");
      return out;
    }
    Path dockerfile = context.resolve(String.valueOf(b.getOrDefault("dockerfile", "Dockerfile")));
    if (!Files.isRegularFile(dockerfile)) {
      out.add(service + ": build dockerfile " + dockerfile + " does not exist");
    }
    return out;
  }

  /**
   * Each service's command as the server reads it: flags checked against the configuration keys,
   * then the whole set loaded by the server's {@link ConfigLoader}. Problems go to {@code out};
   * the services whose flags load are returned.
   */
  static Map<String, NodeConfig> nodeConfigs(Map<String, Object> compose, List<String> out) {
    Map<String, NodeConfig> nodes = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : map(compose.get("services")).entrySet()) {
      Object command = map(e.getValue()).get("command");
      if (command == null) {
        continue;
      }
      List<String> args = command instanceof String s
          ? List.of(s.trim().split("\\s+"))
          : list(command).stream().map(String::valueOf).toList();
      NodeConfig config = loadFlags(e.getKey(), args, out);
      if (config != null) {
        nodes.put(e.getKey(), config);
      }
    }
    return nodes;
  }

  /** Loads {@code --key value} pairs as the server does; null (and problems) if it would refuse. */
  static NodeConfig loadFlags(String who, List<String> args, List<String> out) {
    Map<String, String> overrides = new LinkedHashMap<>();
    boolean ok = true;
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (!flag.startsWith("--")) {
        out.add(who + ": '" + flag + "' is not a --flag");
        ok = false;
        continue;
      }
      String key = flag.substring(2);
      if (!ConfigLoader.keys().contains(key)) {
        out.add(who + ": " + flag + " is not a configuration key");
        ok = false;
      }
      if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
        out.add(who + ": " + flag + " has no value");
        ok = false;
        continue;
      }
      if (overrides.put(key, args.get(++i)) != null) {
        out.add(who + ": " + flag + " is given twice (the server refuses that)");
        ok = false;
      }
    }
    if (!ok) {
      return null;
    }
    try {
      return ConfigLoader.load(null, overrides);
    } catch (ConfigException e) {
      out.add(who + ": the server rejects its flags: " + e.getMessage());
      return null;
    }
  }

  /** The nodes form one cluster: same name, members and seeds; each listed at its own address. */
  private static List<String> clusterProblems(Map<String, Object> services,
      Map<String, NodeConfig> nodes) {
    List<String> out = new ArrayList<>();
    NodeConfig first = null;
    String firstName = null;
    Set<String> ids = new TreeSet<>();
    for (Map.Entry<String, NodeConfig> e : nodes.entrySet()) {
      String name = e.getKey();
      NodeConfig c = e.getValue();
      Map<String, Object> s = map(services.get(name));
      if (!ids.add(c.nodeId())) {
        out.add(name + ": node id " + c.nodeId() + " is used twice");
      }
      if (first == null) {
        first = c;
        firstName = name;
      } else {
        if (!c.clusterName().equals(first.clusterName())) {
          out.add("cluster names differ: " + firstName + " " + first.clusterName() + ", " + name
              + " " + c.clusterName());
        }
        if (!c.members().equals(first.members())) {
          out.add("member lists differ: " + firstName + " and " + name
              + " would start with different rings");
        }
        if (!c.seeds().equals(first.seeds())) {
          out.add("seed lists differ: " + firstName + " and " + name);
        }
      }
      // The node binds and advertises host:port; inside the compose network its name resolves.
      String hostname = String.valueOf(s.getOrDefault("hostname", name));
      if (!c.host().equals(hostname) && !c.host().equals(name)) {
        out.add(name + ": --host " + c.host() + " is neither its service name nor its hostname");
      }
      Member self = c.members().stream().filter(m -> m.nodeId().equals(c.nodeId())).findFirst()
          .orElse(null);
      if (self == null) {
        out.add(name + ": node id " + c.nodeId() + " is not in its member list");
      } else if (!self.address().equals(new HostPort(c.host(), c.port()))) {
        out.add(name + ": " + c.nodeId() + " is listed at " + self.address().format()
            + " but listens on " + c.host() + ":" + c.port());
      }
      Set<HostPort> addresses = new TreeSet<>((a, b) -> a.format().compareTo(b.format()));
      c.members().forEach(m -> addresses.add(m.address()));
      for (HostPort seed : c.seeds()) {
        if (!addresses.contains(seed)) {
          out.add(name + ": seed " + seed.format() + " is not a member's address");
        }
      }
      for (Object p : list(s.get("ports"))) {
        String target = containerPort(p);
        if (!target.equals(Integer.toString(c.port()))) {
          out.add(name + ": publishes container port " + target + " but the node listens on "
              + c.port());
        }
      }
      boolean dataOnVolume = list(s.get("volumes")).stream()
          .map(v -> String.valueOf(v).split(":"))
          .anyMatch(v -> v.length >= 2 && Path.of(v[1]).equals(c.dataDir()));
      if (!dataOnVolume) {
        out.add(name + ": data dir " + c.dataDir() + " is not on a volume");
      }
    }
    if (first != null) {
      for (Member m : first.members()) {
        if (!ids.contains(m.nodeId())) {
          out.add("member " + m.nodeId() + " is not run by any service");
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // The Dockerfile checks.

  private static final Pattern FROM = Pattern.compile("(?i)FROM\\s+(\\S+)(?:\\s+AS\\s+(\\S+))?");
  private static final Pattern MODULES = Pattern.compile("-pl\\s+(\\S+)");

  static List<String> dockerfileProblems(String dockerfile) {
    List<String> out = new ArrayList<>();
    List<String> instructions = instructions(dockerfile);
    String stage = null;
    Map<String, String> workdirs = new TreeMap<>(); // stage -> its WORKDIR
    boolean sawMvnw = false;
    Map<String, String> copiedTo = new LinkedHashMap<>(); // destination in the image -> source
    String entrypoint = null;
    String cmd = null;
    for (String line : instructions) {
      String op = line.split("\\s+", 2)[0].toUpperCase();
      String rest = line.substring(op.length()).trim();
      switch (op) {
        case "FROM" -> {
          Matcher m = FROM.matcher(line);
          stage = m.matches() && m.group(2) != null ? m.group(2) : "final";
        }
        case "WORKDIR" -> workdirs.put(stage, rest.endsWith("/") ? rest : rest + "/");
        case "COPY" -> {
          List<String> words = new ArrayList<>(List.of(rest.split("\\s+")));
          String from = null;
          while (!words.isEmpty() && words.get(0).startsWith("--")) {
            String option = words.remove(0);
            if (option.startsWith("--from=")) {
              from = option.substring("--from=".length());
            }
          }
          String dest = words.remove(words.size() - 1);
          for (String src : words) {
            if (from == null) {
              if (!Files.exists(REPO.resolve(src))) {
                out.add(stage + " stage copies " + src + ", which is not in the repository");
              }
            } else {
              String base = workdirs.getOrDefault(from, "/");
              String produced = src.startsWith(base) ? src.substring(base.length()) : src;
              if (!producedByBuild(produced)) {
                out.add("copies " + produced + ", which the build of module "
                    + produced.split("/")[0] + " does not produce");
              }
              copiedTo.put(dest.endsWith("/") ? dest + Path.of(src).getFileName() : dest, src);
            }
          }
        }
        case "RUN" -> {
          if (rest.contains("./mvnw")) {
            sawMvnw = true;
            Matcher m = MODULES.matcher(rest);
            if (m.find()) {
              for (String module : m.group(1).split(",")) {
                if (!Files.isRegularFile(REPO.resolve(module).resolve("pom.xml"))) {
                  out.add("the build names module " + module + ", which has no pom.xml");
                }
              }
            }
          }
        }
        case "ENTRYPOINT" -> entrypoint = rest;
        case "CMD" -> cmd = rest;
        default -> { }
      }
    }
    if (!sawMvnw) {
      out.add("no stage builds with the Maven wrapper (./mvnw)");
    }
    if (entrypoint == null) {
      out.add("no ENTRYPOINT");
    } else {
      List<String> words = jsonArray(entrypoint);
      int jar = words.indexOf("-jar");
      if (jar < 0 || jar + 1 >= words.size()) {
        out.add("ENTRYPOINT does not run a jar: " + entrypoint);
      } else if (!copiedTo.containsKey(words.get(jar + 1))) {
        out.add("ENTRYPOINT runs " + words.get(jar + 1) + ", which no COPY put there");
      }
    }
    if (cmd != null) {
      List<String> problems = new ArrayList<>();
      loadFlags("CMD", jsonArray(cmd), problems);
      out.addAll(problems);
    }
    return out;
  }

  /**
   * Whether a module's packaging writes {@code path} ({@code module/target/NAME.jar}): the
   * shade plugin's output file or the final name in the module's pom.
   */
  private static boolean producedByBuild(String path) {
    String[] parts = path.split("/");
    if (parts.length != 3 || !parts[1].equals("target") || !parts[2].endsWith(".jar")) {
      return false;
    }
    Path pom = REPO.resolve(parts[0]).resolve("pom.xml");
    if (!Files.isRegularFile(pom)) {
      return false;
    }
    String text;
    try {
      text = Files.readString(pom);
    } catch (IOException e) {
      return false;
    }
    String name = parts[2];
    return text.contains("<outputFile>${project.build.directory}/" + name + "</outputFile>")
        || text.contains("<finalName>" + name.substring(0, name.length() - 4) + "</finalName>");
  }

  /** The instructions, continuation lines joined, comments and blank lines dropped. */
  private static List<String> instructions(String dockerfile) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : dockerfile.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      out.add(current.toString().trim());
      current.setLength(0);
    }
    return out;
  }

  /** The strings of an exec-form instruction: ["a", "b"]. */
  private static List<String> jsonArray(String text) {
    Object parsed = yaml("v: " + text).get("v"); // a JSON array is a YAML flow sequence
    return list(parsed).stream().map(String::valueOf).toList();
  }

  // ---------------------------------------------------------------------------------------------

  /** A small two-node file the negative tests break in one place each. */
  private static String twoNodes() {
    return """
        x-node: &node
          image: ringkv:dev
        services:
          a:
            <<: *node
            command: ["--node-id", "a", "--host", "a", "--port", "7070", "--data-dir", "/data",
                      "--seeds", "a:7070", "--members", "a@a:7070,b@b:7070"]
            ports: ["7071:7070"]
            volumes: ["a-data:/data"]
          b:
            <<: *node
            command: ["--node-id", "b", "--host", "b", "--port", "7070", "--data-dir", "/data",
                      "--seeds", "a:7070", "--members", "a@a:7070,b@b:7070"]
            ports: ["7072:7070"]
            volumes: ["b-data:/data"]
        volumes:
          a-data:
          b-data:
        """;
  }

  private static Map<String, Object> yaml(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Object o = new Yaml(new SafeConstructor(options)).load(text);
    return map(o);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? new ArrayList<>(l) : List.of();
  }
}
