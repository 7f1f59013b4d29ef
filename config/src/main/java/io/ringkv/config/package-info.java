/**
 * Node configuration: {@link io.ringkv.config.NodeConfig} (every setting, typed and always valid),
 * read by {@link io.ringkv.config.ConfigLoader} from the embedded {@code ringkv-default.yaml}, a
 * YAML file and command-line overrides, in that order. The embedded file is the single place
 * where keys, defaults and their meaning are written.
 *
 * <p>Owns parsing and validation, and reports every problem as a one-line {@link
 * io.ringkv.config.ConfigException} naming the key and where the value came from. It does not own
 * what the settings do: it opens no sockets, creates no directories and resolves no host names.
 * It depends only on the JDK and SnakeYAML (safe loading only); nothing here may depend on other
 * ringkv modules, since they all depend on it.
 */
package io.ringkv.config;
