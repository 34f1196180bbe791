package dev.runbook.transport;

import java.nio.file.Path;

/**
 * How the engine reaches one host. Implementations must be safe to use from several threads at
 * once (steps on the same host may run concurrently) and keep ONE connection for the whole run.
 * Every method throws {@link TransportException} naming the host when the host cannot be reached;
 * a command that runs and fails is not an exception, it is an {@link ExecResult} with its exit code.
 * What a transport can do faster than this portable contract it offers through {@link Shortcuts}.
 */
public interface Transport extends AutoCloseable {
    /** Runs {@code command} with {@code bash -e -o pipefail}; stdout and stderr are read concurrently; the timeout kills the whole command. */
    ExecResult exec(String command, ExecOptions options);

    /** Writes a local file to {@code remotePath} as-is (callers make it atomic with a temp name + rename). */
    void upload(Path local, String remotePath);

    /** Writes bytes to {@code remotePath}. */
    void upload(byte[] content, String remotePath);

    /** Copies {@code remotePath} to a local file. */
    void download(String remotePath, Path local);

    /** Reads a small remote file fully (configuration files, manifests). */
    byte[] read(String remotePath);

    /**
     * A local address (on 127.0.0.1, for this run) whose TCP connections reach {@code host:port}
     * as THIS host sees it: a port closed to the control machine but open to the host (an etcd
     * client port behind a firewall or a bastion). Where the control machine reaches it directly
     * (the local transport), the address itself.
     */
    default java.net.InetSocketAddress forward(String host, int port) {
        return new java.net.InetSocketAddress(host, port);
    }

    /** "ssh root@10.0.0.1:22" or "local": for messages. */
    String describe();

    @Override
    void close();
}
