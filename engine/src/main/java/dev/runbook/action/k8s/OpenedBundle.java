package dev.runbook.action.k8s;

import dev.runbook.action.StepContext;
import dev.runbook.bundle.Age;
import dev.runbook.bundle.ControlPlaneBundle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A control-plane bundle decrypted in memory once per run (every host's put-back step shares it)
 * and dropped when the run ends; or why it could not be opened. Nothing of it touches this machine's disk.
 */
final class OpenedBundle implements AutoCloseable {
    private volatile ControlPlaneBundle bundle;
    private final String error;

    private OpenedBundle(ControlPlaneBundle bundle, String error) {
        this.bundle = bundle;
        this.error = error;
    }

    /** The bundle at {@code file} decrypted with the identities of {@code identityFile} (both relative to the run's base dir). */
    static OpenedBundle open(StepContext ctx, String file, String identityFile) {
        if (identityFile == null || identityFile.isBlank()) {
            return new OpenedBundle(null, "the control-plane bundle " + file + " needs identity=FILE: the age identity (AGE-SECRET-KEY-1...) it was encrypted to");
        }
        Path b = ctx.baseDir().resolve(file).normalize();
        Path id = ctx.baseDir().resolve(identityFile).normalize();
        return ctx.resources().get("k8s.bundle " + b + " " + id, () -> read(b, id));
    }

    private static OpenedBundle read(Path file, Path identityFile) {
        if (!Files.isRegularFile(file)) {
            return new OpenedBundle(null, "control-plane bundle " + file + " does not exist");
        }
        try (InputStream in = Age.decrypt(Files.newInputStream(file), Age.identities(identityFile), "control-plane bundle " + file)) {
            return new OpenedBundle(ControlPlaneBundle.read(in, "control-plane bundle " + file), null);
        } catch (IllegalArgumentException | IOException e) {
            String why = e.getMessage();
            // a payload that fails its authentication tag: jagged's message names no file
            boolean named = why != null && (why.startsWith("control-plane bundle") || why.startsWith("identity file") || why.startsWith("wrong identity"));
            return new OpenedBundle(null, named ? why
                    : "control-plane bundle " + file + " cannot be read: " + why + " (damaged, or not decrypted with its identity)");
        }
    }

    /** The bundle, or null when it could not be opened ({@link #error} says why). */
    ControlPlaneBundle bundle() {
        return bundle;
    }

    String error() {
        return error;
    }

    @Override
    public void close() {
        bundle = null;
    }
}
