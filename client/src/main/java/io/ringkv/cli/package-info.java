/**
 * The {@code ringkv} command-line tool ({@link io.ringkv.cli.RingKvCli}): {@code get}, {@code put}
 * and {@code delete} against one node, with text or {@code --json} output, for people and scripts.
 *
 * <p>Owns argument parsing (picocli), output formats and exit codes. Talks to the cluster only
 * through {@link io.ringkv.client.RingKvClient}: no gRPC or protobuf types here. A later
 * {@code ringkv admin ...} group of subcommands is added in {@link io.ringkv.cli.RingKvCli}.
 */
package io.ringkv.cli;
