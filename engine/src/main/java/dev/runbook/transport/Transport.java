package dev.runbook.transport;

import java.nio.file.Path;

/**
 * How the engine reaches one host. Implementations must be safe to use from several threads at
 * once (steps on the same host may run concurrently) and keep ONE connection for the whole run.
 * Every method throws {@link TransportException} naming the host when the host cannot be reached;
 * a command that runs and fails is not an exception, it is an {@link ExecResult} with its exit code.
 */
public interface Transport extends AutoCloseable {
    /** Runs {@code command} with {@code bash -e -o pipefail}; stdout and stderr are read concurrently; the timeout kills the whole command. */
    ExecResult exec(String command, ExecOptions options);

    /**
     * Runs an engine-owned {@code script} that uses only shell builtins (external commands only on
     * rare paths) and never exits, execs, traps, kills or reads {@code $$}, leaving any shell option
     * it sets as it found it. A transport may run it inside its long-lived shell's own process, with
     * no fork: on a 100-host run the lock's take is then 100 processes fewer on the hosts. Same
     * result as {@link #exec}.
     */
    default ExecResult execBuiltins(String script, ExecOptions options) {
        return exec(script, options);
    }

    /** Writes a local file to {@code remotePath} as-is (callers make it atomic with a temp name + rename). */
    void upload(Path local, String remotePath);

    /** Writes bytes to {@code remotePath}. */
    void upload(byte[] content, String remotePath);

    /**
     * Finishes an upload without a command: gives {@code temp} the permission bits {@code mode}
     * (null: those of the existing {@code dest}, if any) and the existing {@code dest}'s owner and
     * group (none when {@code dest} does not exist), in that order, as {@code chmod --reference} then
     * {@code chown --reference} would, then renames it over {@code dest} in one atomic rename (same
     * directory). Returns false, having done nothing, when this transport cannot (the caller then
     * uses chmod, chown and mv); throws {@link TransportException} when it tried and failed (a
     * directory at {@code dest}, no permission), leaving {@code temp} for the caller to remove.
     */
    default boolean moveInto(String temp, String dest, Integer mode) {
        return false;
    }

    /** Copies {@code remotePath} to a local file. */
    void download(String remotePath, Path local);

    /** Reads a small remote file fully (configuration files, manifests). */
    byte[] read(String remotePath);

    /**
     * A hint from the plan: about this many commands will run on this host. A transport may spend
     * set-up time now (while other hosts connect) to make each of them cheaper.
     */
    default void expectCommands(int count) {
    }

    /**
     * Asks for {@code path} to be removed on the host when this transport closes, if the file's
     * first line then still contains {@code ifContains} (checked on the host at that moment). True
     * when it will be (nothing confirms it later); false when the caller must remove it now.
     */
    default boolean removeOnClose(String path, String ifContains) {
        return false;
    }

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
