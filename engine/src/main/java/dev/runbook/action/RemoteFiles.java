package dev.runbook.action;

import dev.runbook.template.ShellQuote;
import dev.runbook.transport.ExecResult;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Installs a file on a host atomically: upload to a temp name in the target directory, check its
 * sha256 there, set mode/owner, then rename over the target. A reader never sees a half-written file.
 */
final class RemoteFiles {

    private RemoteFiles() {
    }

    /**
     * Shell that sets {@code __rb_h} to the sha256 (hex) of the file {@code quoted} names, empty
     * when it cannot be read. OpenSSL first: on the lab's CPU {@code openssl dgst} (SHA
     * instructions) hashed 1 GB in 0.8 s, coreutils' {@code sha256sum} in 4.0 s, as long as the
     * upload itself; sha256sum where there is no openssl.
     */
    static String hashInto(String quoted) {
        return hashInto(quoted, Long.MAX_VALUE);
    }

    /**
     * {@link #hashInto(String)} for a file of {@code size} bytes: below {@link #SMALL} coreutils'
     * {@code sha256sum} first, which starts faster (lab host, 10 runs each: 1 MiB 11-13 ms against
     * openssl's 17-18, even at 4 MiB, 2x slower at 16 MiB).
     */
    static String hashInto(String quoted, long size) {
        String openssl = "openssl dgst -sha256 -r -- " + quoted;
        String coreutils = "sha256sum -- " + quoted;
        boolean small = size < SMALL;
        return "__rb_h=$(" + (small ? coreutils : openssl) + " 2>/dev/null) && [ ${#__rb_h} -ge 64 ] || __rb_h=$(" + (small ? openssl : coreutils)
                + " 2>/dev/null) || __rb_h=; __rb_h=${__rb_h:0:64}";
    }

    /** Files below this size are hashed on the host by sha256sum first, larger ones by openssl first. */
    static final long SMALL = 2L << 20;

    /** The remote file's sha256, or null when it does not exist. */
    static String remoteSha256(StepContext ctx, String path) {
        ExecResult r = ctx.exec(hashInto(ShellQuote.quote(path)) + "; echo \"$__rb_h\"");
        String s = r.stdout().trim();
        return s.length() == 64 ? s : null;
    }

    /**
     * Whether {@code path} already has this content, mode and owner (one command); when it does,
     * nothing is rewritten and the step reports "ok" instead of "changed". The host hashes its file
     * only when its size matches (a new snapshot staged over an older one: no 1 s/GB hash of the old).
     */
    static boolean alreadyThere(StepContext ctx, String path, long size, String sha256, String mode, String owner) {
        ExecResult r = ctx.exec("f=" + ShellQuote.quote(path) + "; [ -f \"$f\" ] || exit 0; __rb_s=$(stat -L -c '%s %a %U %G' -- \"$f\") || exit 0; "
                + "[ \"${__rb_s%% *}\" = " + size + " ] || exit 0; " + hashInto("\"$f\"", size) + "; echo \"$__rb_h\"; echo \"${__rb_s#* }\"");
        String[] lines = r.stdout().strip().split("\n");
        if (!r.ok() || lines.length < 2 || lines[0].length() != 64 || !lines[0].equals(sha256)) {
            return false;
        }
        String[] st = lines[1].split(" ");
        if (mode != null && Integer.parseInt(mode, 8) != Integer.parseInt(st[0], 8)) {
            return false;
        }
        if (owner != null) {
            String[] o = owner.split(":", 2);
            return o[0].equals(st[1]) && (o.length == 1 || o[1].equals(st[2]));
        }
        return true;
    }

    static String tempName(String dest) {
        int slash = dest.lastIndexOf('/');
        String dir = slash >= 0 ? dest.substring(0, slash + 1) : "";
        return dir + "." + dest.substring(slash + 1) + ".runbook-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    /** The shell command that verifies, chmods/chowns and renames the uploaded temp file. */
    static String finishCommand(String tmp, String dest, String sha256, long size, String mode, String owner, boolean keepAttributes) {
        return verifyCommand(tmp, sha256, size) + " && " + moveCommand(tmp, dest, mode, owner, keepAttributes);
    }

    /** The shell command that checks the uploaded temp file's sha256, and removes it when it differs. */
    static String verifyCommand(String tmp, String sha256, long size) {
        String q = ShellQuote.quote(tmp);
        return hashInto(q, size) + "; [ \"$__rb_h\" = " + sha256 + " ]"
                + " || { rm -f -- " + q + "; echo 'sha256 mismatch after upload' >&2; exit 1; }";
    }

    /** The shell command that chmods/chowns the checked temp file and renames it over the target. */
    static String moveCommand(String tmp, String dest, String mode, String owner, boolean keepAttributes) {
        String q = ShellQuote.quote(tmp);
        StringBuilder sb = new StringBuilder("true");
        if (keepAttributes && mode == null) {
            sb.append(" && { [ ! -e ").append(ShellQuote.quote(dest)).append(" ] || chmod --reference=").append(ShellQuote.quote(dest))
                    .append(' ').append(q).append("; }");
        }
        if (mode != null) {
            sb.append(" && chmod ").append(mode).append(' ').append(q);
        }
        if (owner != null) {
            sb.append(" && chown ").append(ShellQuote.quote(owner)).append(' ').append(q);
        } else if (keepAttributes) {
            sb.append(" && { [ ! -e ").append(ShellQuote.quote(dest)).append(" ] || chown --reference=").append(ShellQuote.quote(dest))
                    .append(' ').append(q).append("; }");
        }
        sb.append(" && mv -f -- ").append(q).append(' ').append(ShellQuote.quote(dest));
        return sb.toString();
    }

    /**
     * Null when {@code path} has no {@code ..} segment, else why it is refused: a path built from
     * values (inputs, registered output) must not climb out of the directory the runbook named.
     */
    static String traversal(String what, String path) {
        for (String seg : path.split("/", -1)) {
            if (seg.equals("..")) {
                return what + " " + path + " contains '..': refused, a value may be trying to escape its directory (write the path without '..')";
            }
        }
        return null;
    }

    /** Uploads bytes or a local file and installs it; returns an error message or null. */
    static String install(StepContext ctx, byte[] content, Path local, String sha256, String dest, String mode, String owner) {
        String tmp = tempName(dest);
        long t0 = System.nanoTime();
        try {
            if (content != null) {
                ctx.transport().upload(content, tmp);
            } else {
                ctx.transport().upload(local, tmp);
            }
        } catch (RuntimeException e) {
            // SFTP says only "Failure" for a full disk: ask the host why, and leave no partial file
            long size = content != null ? content.length : local.toFile().length();
            ExecResult df = ctx.exec("rm -f -- " + ShellQuote.quote(tmp) + "; df -Pk -- \"$(dirname -- " + ShellQuote.quote(dest)
                    + ")\" | awk 'NR==2 {print $4}'");
            String free = df.stdout().trim();
            if (free.matches("\\d+") && Long.parseLong(free) * 1024 < size) {
                return "no space left for " + dest + ": " + free + " KiB free there, the file is " + (size + 1023) / 1024
                        + " KiB (nothing was installed; free space or choose another directory)";
            }
            return "uploading " + dest + " failed: " + e.getMessage() + " (nothing was installed)";
        }
        long t1 = System.nanoTime();
        long size = content != null ? content.length : local.toFile().length();
        // an owner by name needs the host's user database: chown does it; else the checked file
        // gets its mode and owner and is renamed by the transport itself (SFTP: no process)
        ExecResult r = ctx.exec(owner == null ? verifyCommand(tmp, sha256, size) : finishCommand(tmp, dest, sha256, size, mode, owner, true));
        String moved = "command";
        if (r.ok() && owner == null) {
            try {
                if (dev.runbook.transport.Shortcuts.moveInto(ctx.transport(), tmp, dest, mode == null ? null : Integer.parseInt(mode, 8))) {
                    moved = "transport";
                } else {
                    r = ctx.exec(moveCommand(tmp, dest, mode, null, true));
                }
            } catch (RuntimeException e) {
                ctx.exec("rm -f -- " + ShellQuote.quote(tmp));
                return "installing " + dest + " failed: " + e.getMessage();
            }
        }
        dev.runbook.trace.Trace.line("install", "%s upload=%.0fms verify+install=%.0fms (moved by %s)", dest, (t1 - t0) / 1e6, (System.nanoTime() - t1) / 1e6, moved);
        if (!r.ok()) {
            ctx.exec("rm -f -- " + ShellQuote.quote(tmp));
            return "installing " + dest + " failed: " + (r.stderr().isBlank() ? "exit " + r.exitCode() : r.stderr().trim());
        }
        return null;
    }
}
