package dev.runbook.transport.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbook.template.ShellQuote;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persistent shell's program run by a local bash, its stdout a pipe (as from OpenSSH's sshd:
 * frames written straight to it) or a socket (frames through the fifo and cat). Either way, once
 * its input ends it kills what still runs and removes its temp dir, leaving no process behind.
 */
class RemoteShellScriptTest {
    /** Relays the shell's stdout from a socketpair; ends only when every holder of the socket has closed it. */
    private static final String SOCKET_RELAY = String.join("\n",
            "import socket, subprocess, sys",
            "a, b = socket.socketpair()",
            "p = subprocess.Popen(['bash', '-c', sys.argv[1]], stdout=b)",
            "b.close()",
            "for line in a.makefile('rb'):",
            "    sys.stdout.buffer.write(line); sys.stdout.flush()",
            "p.wait()");

    @TempDir
    Path tmp;

    @Test
    void framesGoStraightToAPipe() throws Exception {
        run(List.of("bash", "-c", RemoteShell.SCRIPT), false, false);
        // the next shell of the same user reuses the dir; it holds nothing of the first one
        run(List.of("bash", "-c", RemoteShell.SCRIPT), false, false);
    }

    @Test
    void framesGoThroughTheFifoWhenStdoutIsASocket() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 makes the socketpair");
        run(List.of("/usr/bin/python3", "-c", SOCKET_RELAY, RemoteShell.SCRIPT), true, false);
    }

    @Test
    void aSymlinkWhereTheUsersDirWouldBeIsNeverUsed() throws Exception {
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(usersDir(), elsewhere);
        run(List.of("bash", "-c", RemoteShell.SCRIPT), false, true);
        try (var left = Files.list(elsewhere)) {
            assertEquals(0, left.count(), "nothing was written through the symlink");
        }
    }

    @Test
    void aCommandEndingWhileABuiltinsFrameRunsKeepsItsEndFrameAndLeavesTheFramesOutputAlone() throws Exception {
        // an I frame redirects the shell's own stdout and stderr to its files: a command ending
        // meanwhile must still report on the channel (not into the I frame's output), and bash's
        // job notice of it ("[1]+ Done ...") must not land in the I frame's stderr
        Process p = start(List.of("bash", "-c", RemoteShell.SCRIPT));
        Lines out = new Lines(p);
        try (OutputStream in = p.getOutputStream()) {
            assertTrue(out.readLine().startsWith("READY /"));
            java.util.Set<String> expected = new java.util.HashSet<>();
            StringBuilder frames = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                frames.append(ShellFrames.frame('R', 2 * i + 1, "printf hi")).append(ShellFrames.frame('I', 2 * i + 2, "printf ok"));
                expected.add("D " + (2 * i + 1) + " 0 2 0");
                expected.add("D " + (2 * i + 2) + " 0 2 0");
            }
            send(in, frames.toString());
            java.util.Set<String> got = new java.util.HashSet<>();
            for (int i = 0; i < expected.size(); i++) {
                got.add(out.readLine());
            }
            assertEquals(expected, got);
        } finally {
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the shell ended");
            p.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** Where the shell keeps its files: one dir per user under TMPDIR. */
    private Path usersDir() throws Exception {
        return tmp.resolve("runbook-shell-" + Files.getAttribute(tmp, "unix:uid"));
    }

    /**
     * Starts the shell with TMPDIR={@link #tmp}, in a UTF-8 locale, where bash's read -N counts
     * characters, not bytes (frames are ASCII for that).
     */
    private Process start(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().put("TMPDIR", tmp.toString());
        return pb.start();
    }

    /** Runs the shell's whole protocol once; privateDir: the users' dir is unusable, a mktemp dir is expected. */
    private void run(List<String> cmd, boolean fifo, boolean privateDir) throws Exception {
        Process p = start(cmd);
        Lines out = new Lines(p);
        OutputStream in = p.getOutputStream();
        try {
            String ready = out.readLine();
            assertTrue(ready != null && ready.startsWith("READY /"), "first line: " + ready);
            String prefix = ready.substring("READY ".length());
            Path dir = Path.of(prefix).getParent();
            assertTrue(Path.of(prefix).getFileName().toString().matches("[0-9]+\\."), "the files are named by the shell's pid: " + prefix);
            if (privateDir) {
                assertTrue(dir.getFileName().toString().startsWith("runbook."), "a private mktemp dir: " + dir);
            } else {
                assertEquals(usersDir(), dir);
            }
            assertFalse(Files.isSymbolicLink(dir));
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            assertEquals(fifo, Files.exists(Path.of(prefix + "done")), "the fifo exists only where stdout is not a pipe");

            send(in, ShellFrames.frame('R', 1, "echo hi; echo err >&2"));
            assertEquals("D 1 0 3 4", out.readLine());
            assertEquals("hi\n", Files.readString(Path.of(prefix + "1.o")));
            send(in, ShellFrames.frame('W', 2, "trap - EXIT; exit 3"));
            assertEquals("D 2 3 0 0", out.readLine());
            send(in, ShellFrames.frame('X', 3, "echo $$ >/dev/null; false"));
            assertEquals("D 3 1 0 0", out.readLine());
            // a frame is read by its length: multi-byte characters, several lines, quotes and
            // backslashes arrive exactly, and the next frame is read from where this one ended
            String text = "caf\u00e9 \u4e2d\u6587 \ud83d\ude00\n'quoted' \"double\" \\ back\\nslash\n";
            send(in, ShellFrames.frame('R', 5, "printf '%s' " + ShellQuote.quote(text) + "\n"));
            send(in, ShellFrames.frame('I', 6, "printf ok"));
            // the R frame's subshell may end after the I frame ran in the shell itself
            assertEquals(java.util.Set.of("D 5 0 " + text.getBytes(StandardCharsets.UTF_8).length + " 0", "D 6 0 2 0"),
                    java.util.Set.of(out.readLine(), out.readLine()));
            assertEquals(text, Files.readString(Path.of(prefix + "5.o")));

            // files to remove at exit, if their first line still names their owner then (the run lock)
            Path ours = Files.writeString(Files.createTempFile("rb-lock", ""), "{\"run\":\"r1\",\"pid\":1}\n");
            Path retaken = Files.writeString(Files.createTempFile("rb-lock", ""), "{\"run\":\"r1\"}\n");
            Path spaced = Files.createTempFile("rb lock 'quoted'", "");
            Files.writeString(spaced, "{\"run\":\"r1\"}\n");
            for (Path f : new Path[] {ours, retaken, spaced}) {
                send(in, ShellFrames.frame('L', 0, ShellQuote.quote(f.toString()) + " " + ShellQuote.quote("\"run\":\"r1\"")));
            }
            Files.writeString(retaken, "{\"run\":\"r2\"}\n"); // another run took it meanwhile

            // still running when the engine leaves: killed with its process group, its files removed
            send(in, ShellFrames.frame('R', 4, "sleep 60"));
            in.close();
            // EOF: nothing (sleep, cat) holds the shell's stdout any more
            assertNull(out.readLine());
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the shell ended");
            if (privateDir) {
                assertFalse(Files.exists(dir), "the private dir is removed");
            } else {
                try (var left = Files.list(dir)) {
                    assertEquals(List.of(), left.map(f -> f.getFileName().toString()).toList(), "every file of the shell is removed");
                }
            }
            assertFalse(Files.exists(ours), "a registered file still naming its owner is removed");
            assertFalse(Files.exists(spaced), "whatever its name");
            assertTrue(Files.exists(retaken), "a file another owner took meanwhile is left alone");
            Files.delete(retaken);
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** The shell's stdout, line by line, never waiting long: a leaked process holding it must fail the test, not hang it. */
    private static final class Lines {
        private static final String EOF = "\u0000EOF";
        private final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();

        Lines(Process p) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        lines.add(l);
                    }
                } catch (java.io.IOException ignored) {
                    // destroyed
                }
                lines.add(EOF);
            });
            t.setDaemon(true);
            t.start();
        }

        /** The next line, null at EOF. */
        String readLine() throws InterruptedException {
            String l = lines.poll(10, TimeUnit.SECONDS);
            if (l == null) {
                throw new AssertionError("no output from the shell for 10 s");
            }
            return l.equals(EOF) ? null : l;
        }
    }

    private static void send(OutputStream in, String frame) throws Exception {
        in.write(frame.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }
}
