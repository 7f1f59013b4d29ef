package io.ringkv.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reading YAML text into plain maps, lists and scalars, safely: no object construction, no
 * duplicate keys, few aliases; every failure a one-line {@link ConfigException} with the line.
 */
final class YamlFiles {

  private YamlFiles() {}

  static Map<String, Object> parse(String text, String source) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10); // a config has no use for alias bombs
    Object root;
    try {
      root = new Yaml(new StrictConstructor(options)).load(text);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
      String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
      throw new ConfigException(null, source, "invalid YAML" + where + ": " + oneLine(problem), List.of(), e);
    } catch (YAMLException e) {
      throw new ConfigException(null, source, "invalid YAML: " + oneLine(e.getMessage()), List.of(), e);
    }
    if (root == null) {
      return Map.of(); // an empty file, or only comments: all defaults
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new ConfigException(null, source,
          "expected 'key: value' lines at the top level, got " + Settings.describe(root), List.of(), null);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> tree = (Map<String, Object>) map;
    return tree;
  }

  /**
   * Builds plain maps, lists and scalars only. YAML 1.1 reads {@code port: 07070} as octal 3640 and
   * {@code 1:30} as base 60, silently; such integers are refused instead.
   */
  private static final class StrictConstructor extends SafeConstructor {
    StrictConstructor(LoaderOptions options) {
      super(options);
      yamlConstructors.put(Tag.INT, new ConstructYamlInt() {
        @Override
        public Object construct(Node node) {
          String text = ((ScalarNode) node).getValue().replace("_", "");
          if (text.matches("[-+]?0[0-7]+") || text.contains(":")) {
            throw new AmbiguousInteger(text, node.getStartMark());
          }
          return super.construct(node);
        }
      });
    }
  }

  private static final class AmbiguousInteger extends MarkedYAMLException {
    AmbiguousInteger(String text, Mark mark) {
      super(null, null, "'" + text + "' would be read as octal or base 60; write a plain decimal number", mark);
    }
  }

  static String readFile(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(null, file.toString(), "file not found", List.of(), e);
    } catch (IOException e) {
      throw new ConfigException(null, file.toString(), "cannot read the file: " + oneLine(String.valueOf(e)), List.of(), e);
    }
  }

  static String readResource(String name) {
    try (InputStream in = YamlFiles.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String oneLine(String text) {
    return String.valueOf(text).strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
